// Password hashing: argon2id for everything new; bcrypt only to verify hashes imported from the
// original product, which are re-hashed with argon2id at the next successful login.
import { hash as argon2Hash, hashSync as argon2HashSync, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
import { compare as bcryptCompare } from 'bcryptjs';

export type Argon2Cost = { memoryCost: number; timeCost: number; parallelism: number };

/** OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): about 10 ms per hash here. */
export const DEFAULT_ARGON2_COST: Argon2Cost = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** Stored in password_hash for users who may not log in until an admin sets a password. */
export const DISABLED_PASSWORD_HASH = '!';

const BCRYPT_PREFIX = /^\$2[aby]\$\d{2}\$/;

export function isBcryptHash(value: string): boolean {
  return BCRYPT_PREFIX.test(value) && value.length === 60;
}

export type VerifyResult = { isValid: boolean; needsRehash: boolean };

export class PasswordHasher {
  private dummyHash: string | null = null;

  constructor(private readonly cost: Argon2Cost = DEFAULT_ARGON2_COST) {}

  hash(password: string): Promise<string> {
    return argon2Hash(password, this.cost);
  }

  /** For the first-start admin, created before the server listens. */
  hashSync(password: string): string {
    return argon2HashSync(password, this.cost);
  }

  async verify(storedHash: string, password: string): Promise<VerifyResult> {
    if (storedHash.startsWith('$argon2')) {
      const isValid = await argon2Verify(storedHash, password).catch(() => false);
      return { isValid, needsRehash: isValid && !this.hasCurrentCost(storedHash) };
    }
    if (isBcryptHash(storedHash)) {
      const isValid = await bcryptCompare(password, storedHash).catch(() => false);
      return { isValid, needsRehash: isValid };
    }
    // A disabled or unreadable hash never matches, but costs the same time as one that might.
    await this.burnVerifyTime(password);
    return { isValid: false, needsRehash: false };
  }

  /** Spends the time of a real verification so an unknown username answers as slowly as a wrong password. */
  async burnVerifyTime(password: string): Promise<void> {
    this.dummyHash ??= argon2HashSync('not-a-password-anyone-has', this.cost);
    await argon2Verify(this.dummyHash, password).catch(() => false);
  }

  private hasCurrentCost(storedHash: string): boolean {
    try {
      const options = parseOptions(storedHash);
      return (
        options.memoryCost === this.cost.memoryCost &&
        options.timeCost === this.cost.timeCost &&
        options.parallelism === this.cost.parallelism
      );
    } catch {
      return false;
    }
  }
}
