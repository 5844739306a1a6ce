// The deploy form's fields: one input per template variable, and the host-port status line with
// conflicts and a suggested free port.
import type { AppVariable } from '../../../../contracts/catalog.js';
import { SelectField, TextField } from '../../components/field.js';
import { InfoNotice } from '../../components/notices.js';
import type { FormValue } from './deploy-form.js';

/** A host port the deploy wants that something else holds, and a free one to take instead. */
export type PortConflict = { name: string; port: number; owner: string; suggestion: number | null };

export function PortStatus({
  conflicts,
  blocking,
  checking,
  error,
  wanted,
  duplicates,
  onUse,
}: {
  conflicts: PortConflict[];
  blocking: boolean;
  checking: boolean;
  error: string | null;
  wanted: { name: string; port: number }[];
  duplicates: string[];
  onUse: (name: string, value: string) => void;
}) {
  if (wanted.length === 0) return null;
  if (checking) return <p className="muted small">Checking host ports…</p>;
  if (error)
    return <InfoNotice tone="warning">Ports could not be checked ({error}). The server checks them again when deploying.</InfoNotice>;
  if (conflicts.length === 0 && duplicates.length === 0) {
    return (
      <p className="small" style={{ color: 'var(--success-text)' }} data-testid="ports-ok">
        ✓ {wanted.length === 1 ? `Port ${wanted[0]?.port} is free.` : `Ports ${wanted.map((entry) => entry.port).join(', ')} are free.`}
      </p>
    );
  }
  return (
    <div className={`notice ${blocking ? 'notice-error' : 'notice-warning'}`} role="alert" data-testid="port-conflicts">
      <strong>{blocking ? 'Port conflict' : 'Ports in use (only matters if you publish them)'}</strong>
      {duplicates.map((text) => (
        <span key={text}>{text}.</span>
      ))}
      {conflicts.map((conflict) => (
        <div key={conflict.name} className="row">
          <span>
            {conflict.name}: port {conflict.port} is used by {conflict.owner}.
          </span>
          {conflict.suggestion ? (
            <button type="button" className="button button-small" onClick={() => onUse(conflict.name, String(conflict.suggestion))}>
              Use free port {conflict.suggestion}
            </button>
          ) : (
            <span className="muted small">Looking for a free port…</span>
          )}
        </div>
      ))}
    </div>
  );
}

const INPUT_TYPES: Partial<Record<AppVariable['type'], string>> = {
  port: 'number',
  number: 'number',
  secret: 'password',
  email: 'email',
  url: 'url',
};

export function VariableField({
  variable,
  value,
  error,
  onChange,
  onBlur,
}: {
  variable: AppVariable;
  value: FormValue | undefined;
  error: string | undefined;
  onChange: (value: FormValue) => void;
  onBlur: () => void;
}) {
  const id = `var-${variable.name}`;
  const isSecret = variable.type === 'secret';
  // A secret left empty is generated, so it is never required from the user.
  const required = variable.required && !isSecret;
  const help =
    variable.description || isSecret
      ? `${variable.description}${isSecret ? ' Leave empty to generate a strong value.' : ''}`.trim()
      : undefined;
  if (variable.type === 'boolean') {
    return (
      <div className="field">
        <span className="field-label" id={`${id}-name`}>
          {variable.name}
        </span>
        <label className="checkbox">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(event) => onChange(event.target.checked)}
            aria-labelledby={`${id}-name ${id}-state`}
            aria-describedby={[help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined}
          />
          <span id={`${id}-state`}>Enabled</span>
        </label>
        {help ? (
          <span id={`${id}-help`} className="field-help">
            {help}
          </span>
        ) : null}
        {error ? (
          <span id={`${id}-error`} className="field-error">
            {error}
          </span>
        ) : null}
      </div>
    );
  }
  const label = (
    <>
      {variable.name}
      {required ? <span aria-hidden="true"> *</span> : null}
      <span className="muted small field-type"> · {variable.type}</span>
    </>
  );
  const common = {
    id,
    label,
    help,
    error,
    value: typeof value === 'string' ? value : '',
    onBlur,
    'aria-required': required || undefined,
  };
  if (variable.type === 'enum' && variable.values) {
    return (
      <SelectField {...common} onChange={(event) => onChange(event.target.value)}>
        {variable.required ? null : <option value="">(default)</option>}
        {variable.values.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </SelectField>
    );
  }
  return (
    <TextField
      {...common}
      type={INPUT_TYPES[variable.type] ?? 'text'}
      inputMode={variable.type === 'port' ? 'numeric' : undefined}
      min={variable.type === 'port' ? 1 : undefined}
      max={variable.type === 'port' ? 65535 : undefined}
      autoComplete={isSecret ? 'new-password' : 'off'}
      spellCheck={false}
      placeholder={isSecret ? 'generated' : variable.type === 'path' ? '/opt/appdata/…' : undefined}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
