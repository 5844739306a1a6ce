import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDotEnv, parseDurationSeconds } from '../../src/server/config.js';
import { composeProcessEnv } from '../../src/server/infra/compose-cli.js';
import { globalDefaultsFromConfig } from '../../src/server/modules/catalog/index.js';

const emptyDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'hlr-config-'));

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({ env: {}, cwd: emptyDir() });
    expect(config.backendPort).toBe(8092);
    expect(config.frontendPort).toBe(8084);
    expect(config.authEnabled).toBe(true);
    expect(config.jwtExpiresInSeconds).toBe(86400);
    expect(config.dockerHost).toBe('unix:///var/run/docker.sock');
    expect(config.appFolder).toBe('/opt/appdata');
    expect(config.corsOrigins).toEqual([]);
  });

  it('hands out the app user id and umask as numbers, and templates get them back as text', () => {
    const config = loadConfig({ env: { ID: '1001', UMASK: '0027' }, cwd: emptyDir() });
    expect(config.userId).toBe(1001);
    expect(config.umask).toBe(0o027);
    expect(globalDefaultsFromConfig(config)).toMatchObject({ ID: '1001', UMASK: '027' });
    expect(loadConfig({ env: {}, cwd: emptyDir() })).toMatchObject({ userId: 1000, umask: 0o002 });
  });

  it('names the variable and what is allowed when a value is invalid', () => {
    expect(() => loadConfig({ env: { BACKEND_PORT: 'eighty', AUTH_ENABLED: 'maybe' }, cwd: emptyDir() })).toThrowError(ConfigError);
    try {
      loadConfig({ env: { BACKEND_PORT: '70000', AUTH_ENABLED: 'maybe', DOCKER_HOST: 'http://x' }, cwd: emptyDir() });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('BACKEND_PORT="70000": must be between 1 and 65535');
      expect(problems).toContain('AUTH_ENABLED="maybe": must be true or false');
      expect(problems).toContain('DOCKER_HOST="http://x"');
    }
  });

  it("gives docker and compose the server account's home, or HOME and DOCKER_CONFIG when set", () => {
    const dir = emptyDir();
    // No HOME (as under some service managers): the account's home from the user database.
    expect(loadConfig({ env: {}, cwd: dir }).commandHome).toBe(os.userInfo().homedir);
    expect(loadConfig({ env: {}, cwd: dir }).dockerConfigDir).toBeUndefined();
    const config = loadConfig({ env: { HOME: '/var/lib/homelabarr', DOCKER_CONFIG: 'docker-cli' }, cwd: dir });
    expect(config.commandHome).toBe('/var/lib/homelabarr');
    expect(config.dockerConfigDir).toBe(path.join(dir, 'docker-cli'));
    expect(composeProcessEnv({ ...config, executablePath: '/usr/bin:/bin', dockerHost: 'unix:///run/docker.sock' })).toEqual({
      PATH: '/usr/bin:/bin',
      DOCKER_HOST: 'unix:///run/docker.sock',
      HOME: '/var/lib/homelabarr',
      DOCKER_CONFIG: path.join(dir, 'docker-cli'),
    });
  });

  it('refuses the same port for API and dashboard', () => {
    expect(() => loadConfig({ env: { BACKEND_PORT: '9000', FRONTEND_PORT: '9000' }, cwd: emptyDir() })).toThrowError(/FRONTEND_PORT=9000/);
  });

  it('reads .env from the working directory, with real variables winning', () => {
    const dir = emptyDir();
    writeFileSync(path.join(dir, '.env'), '# comment\nBACKEND_PORT=9100\nDOMAIN="home.example.com"\nCATALOG_PATHS=a:b\n');
    const config = loadConfig({ env: { BACKEND_PORT: '9200' }, cwd: dir });
    expect(config.backendPort).toBe(9200);
    expect(config.domain).toBe('home.example.com');
    expect(config.catalogPaths).toEqual([path.join(dir, 'a'), path.join(dir, 'b')]);
  });

  it('accepts a bare socket path for DOCKER_HOST', () => {
    expect(loadConfig({ env: { DOCKER_HOST: '/run/docker.sock' }, cwd: emptyDir() }).dockerHost).toBe('unix:///run/docker.sock');
  });
});

describe('parseDurationSeconds', () => {
  it('parses units and plain seconds', () => {
    expect(parseDurationSeconds('24h')).toBe(86400);
    expect(parseDurationSeconds('30m')).toBe(1800);
    expect(parseDurationSeconds('7d')).toBe(604800);
    expect(parseDurationSeconds('90')).toBe(90);
    expect(parseDurationSeconds('soon')).toBeNull();
  });
});

describe('parseDotEnv', () => {
  it('handles quotes, export and trailing comments', () => {
    expect(parseDotEnv("export A=1\nB='two words'\nC=3 # note\n\nbad line\n")).toEqual({ A: '1', B: 'two words', C: '3' });
  });
});
