// Compose's ${VAR} interpolation, reimplemented for reading templates: which variables a template
// uses, and what a string becomes once values are substituted (for ports, images and URLs).

/** `$$` (a literal dollar), `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?err}`, `${NAME?err}`, `${NAME:+alt}`, `${NAME+alt}`, `$NAME`. */
const REFERENCE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export type VariableReference = { name: string; defaultValue: string | null };

/** Every variable a string refers to, with the inline default of `${NAME:-default}` where given. */
export function findVariableReferences(text: string): VariableReference[] {
  const found: VariableReference[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    if (match[1]) continue;
    const name = match[2] ?? match[5];
    if (!name) continue;
    const operator = match[3];
    const operand = match[4] ?? '';
    found.push({ name, defaultValue: operator === '-' || operator === ':-' ? operand : null });
    if (operand) found.push(...findVariableReferences(operand));
  }
  return found;
}

/** Substitutes values the way compose does; a missing variable becomes '' (or its inline default). */
export function interpolate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(
    REFERENCE,
    (
      _whole,
      dollar: string | undefined,
      braced: string | undefined,
      operator: string | undefined,
      operand: string | undefined,
      bare: string | undefined,
    ) => {
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      const value = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
      const isSet = value !== undefined;
      const isNonEmpty = isSet && value !== '';
      switch (operator) {
        case ':-':
          return isNonEmpty ? value : interpolate(operand ?? '', values);
        case '-':
          return isSet ? value : interpolate(operand ?? '', values);
        case ':+':
          return isNonEmpty ? interpolate(operand ?? '', values) : '';
        case '+':
          return isSet ? interpolate(operand ?? '', values) : '';
        case undefined:
          return value ?? '';
        default:
          return value ?? '';
      }
    },
  );
}

/** Makes a string literal for compose: every `$` doubled so nothing in it is interpolated. */
export function escapeForCompose(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

/** Calls visit for every string in a parsed YAML value (keys included), depth first. */
export function forEachString(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) forEachString(item, visit);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      visit(key);
      forEachString(item, visit);
    }
  }
}

/** A deep copy of a parsed YAML value with every string (not keys) mapped. */
export function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => mapStrings(item, map)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[key] = mapStrings(item, map);
    return out as T;
  }
  return value;
}
