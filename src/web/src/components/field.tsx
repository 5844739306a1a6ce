// Labelled form controls. The label, help text and error message are tied to the control by id, so
// a screen reader announces them with it and a browser test finds the control by its label.
import { useId, type CSSProperties, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { SearchIcon } from './icons.js';

type FieldFrameProps = {
  label: ReactNode;
  /** Shown under the control and announced with it. */
  help?: ReactNode;
  /** Shown under the control in the error colour; also marks the control aria-invalid. */
  error?: ReactNode;
  className?: string;
  style?: CSSProperties;
};

type FieldIds = { controlId: string; helpId: string; errorId: string; describedBy: string | undefined };

function useFieldIds(id: string | undefined, help: ReactNode, error: ReactNode): FieldIds {
  const generated = useId();
  const controlId = id ?? generated;
  const helpId = `${controlId}-help`;
  const errorId = `${controlId}-error`;
  const describedBy = [help ? helpId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return { controlId, helpId, errorId, describedBy };
}

/** The frame around any control: label above, help and error below. */
export function FieldFrame({
  ids,
  label,
  help,
  error,
  className,
  style,
  children,
}: FieldFrameProps & { ids: FieldIds; children: ReactNode }) {
  return (
    <div className={className ? `field ${className}` : 'field'} style={style}>
      <label htmlFor={ids.controlId}>{label}</label>
      {children}
      {help ? (
        <span id={ids.helpId} className="field-help">
          {help}
        </span>
      ) : null}
      {error ? (
        <span id={ids.errorId} className="field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

type TextFieldProps = FieldFrameProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'className' | 'style'>;

export function TextField({ label, help, error, className, style, id, ...input }: TextFieldProps) {
  const ids = useFieldIds(id, help, error);
  return (
    <FieldFrame ids={ids} label={label} help={help} error={error} className={className} style={style}>
      <input {...input} id={ids.controlId} className="input" aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} />
    </FieldFrame>
  );
}

/** A password someone chooses (their own, or one for another user): the server wants at least 8 characters. */
export function NewPasswordField(props: Omit<TextFieldProps, 'type'>) {
  return <TextField type="password" autoComplete="new-password" minLength={8} required {...props} />;
}

type SelectFieldProps = FieldFrameProps & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'className' | 'style'> & { children: ReactNode };

export function SelectField({ label, help, error, className, style, id, children, ...select }: SelectFieldProps) {
  const ids = useFieldIds(id, help, error);
  return (
    <FieldFrame ids={ids} label={label} help={help} error={error} className={className} style={style}>
      <select {...select} id={ids.controlId} className="select" aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy}>
        {children}
      </select>
    </FieldFrame>
  );
}

type InlineSelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'className'> & { id: string; label: string; children: ReactNode };

/** A compact select in a toolbar or table cell, whose label only screen readers need. */
export function InlineSelect({ id, label, children, ...select }: InlineSelectProps) {
  return (
    <>
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <select {...select} id={id} className="select select-inline">
        {children}
      </select>
    </>
  );
}

type SearchFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'className' | 'type'> & {
  id: string;
  label: string;
  className?: string;
};

/** A search input with its magnifier icon and a label for screen readers. */
export function SearchField({ id, label, className, style, ...input }: SearchFieldProps) {
  return (
    <div className={className ? `search-box ${className}` : 'search-box'} style={style}>
      <SearchIcon />
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input {...input} id={id} className="input" type="search" />
    </div>
  );
}
