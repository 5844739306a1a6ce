// Deploy an app: choose a mode the app supports, fill the form generated from its variables,
// see port conflicts (with a free port suggested) before deploying, then watch it live.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { AppVariable } from '../../../../contracts/catalog.js';
import { ApiError, describeError } from '../../api/api-error.js';
import { authSession } from '../../api/auth-session.js';
import { deploymentTracker, useDeployment } from '../../api/deployment-tracker.js';
import { api } from '../../api/http-client.js';
import type {
  App,
  DeployAccepted,
  DeploymentModesResponse,
  DeployModeType,
  PortAvailableResponse,
  PortsCheckResponse,
} from '../../api/wire-types.js';
import { AppIcon } from '../../components/app-icon.js';
import { DeploymentProgress } from '../../components/deployment-progress.js';
import { Dialog, DialogActions } from '../../components/dialog.js';
import { ErrorBanner, ErrorNotice, InfoNotice } from '../../components/notices.js';
import { useAsyncAction } from '../../hooks/use-async-action.js';
import {
  buildConfig,
  domainVariable,
  fieldErrorsFromServer,
  initialValues,
  isProxyMode,
  requestedPorts,
  splitVariables,
  validateAll,
  type FormValue,
  type FormValues,
} from './deploy-form.js';
import { PortStatus, VariableField, type PortConflict } from './deploy-fields.js';

const FALLBACK_MODES: Record<DeployModeType, { name: string; description: string }> = {
  standard: { name: 'Standard', description: 'Ports published on this host' },
  traefik: { name: 'Traefik', description: 'Behind the Traefik reverse proxy with TLS' },
  authelia: { name: 'Traefik + Authelia', description: 'Behind Traefik, signed in through Authelia' },
};

export function DeployDialog({ app, onClose }: { app: App; onClose: () => void }) {
  const [deploymentId, setDeploymentId] = useState<string | null>(null);
  const deployment = useDeployment(deploymentId);
  if (deploymentId) {
    return (
      <Dialog
        title={`Deploying ${app.displayName}`}
        description="You can close this window: the deployment keeps running and stays in the deployments menu at the top."
        size="large"
        onClose={onClose}
        testId="deploy-dialog"
        footer={
          <button type="button" className="button" onClick={onClose}>
            {deployment?.outcome ? 'Close' : 'Close (keeps running)'}
          </button>
        }
      >
        {deployment ? <DeploymentProgress item={deployment} /> : null}
      </Dialog>
    );
  }
  return <DeployForm app={app} onClose={onClose} onStarted={setDeploymentId} />;
}

function DeployForm({ app, onClose, onStarted }: { app: App; onClose: () => void; onStarted: (id: string) => void }) {
  const formId = useId();
  const [mode, setMode] = useState<DeployModeType>(app.modes[0] ?? 'standard');
  const [publishPorts, setPublishPorts] = useState(false);
  const [values, setValues] = useState<FormValues>(() => initialValues(app.variables));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const { busy, error: failure, run, setError: setFailure } = useAsyncAction();
  const [modes, setModes] = useState<DeploymentModesResponse | null>(null);
  const [ports, setPorts] = useState<PortsCheckResponse | null>(null);
  const [portsError, setPortsError] = useState<string | null>(null);
  const [suggestions, setSuggestions] = useState<Record<number, number | null>>({});
  const session = authSession.get();
  const isAdmin = session.status === 'signed-in' && session.user.role === 'admin';

  useEffect(() => {
    api
      .get<DeploymentModesResponse>('/deployment-modes')
      .then(setModes)
      .catch(() => setModes(null));
    api
      .get<PortsCheckResponse>('/ports/check')
      .then(setPorts)
      .catch((error: unknown) => setPortsError(describeError(error).title));
  }, []);

  const { main, advanced } = useMemo(() => splitVariables(app.variables, mode), [app.variables, mode]);
  const shown = useMemo(() => {
    const list = [...main, ...advanced];
    if (isProxyMode(mode) && !list.some((variable) => variable.name === 'DOMAIN')) list.unshift(domainVariable(app.variables));
    return list;
  }, [main, advanced, mode, app.variables]);
  const mainFields = useMemo(
    () => (isProxyMode(mode) && !main.some((v) => v.name === 'DOMAIN') ? [domainVariable(app.variables), ...main] : main),
    [main, mode, app.variables],
  );

  const errors = useMemo(() => ({ ...validateAll(shown, values), ...serverErrors }), [shown, values, serverErrors]);
  const wanted = useMemo(() => requestedPorts(shown, values), [shown, values]);

  const conflicts: PortConflict[] = useMemo(() => {
    if (!ports) return [];
    const used = new Set(ports.usedPorts);
    return wanted
      .filter((entry) => used.has(entry.port))
      .map((entry) => {
        const detail = ports.details?.find((item) => item.port === entry.port);
        const owner = detail
          ? (detail.appId ?? detail.container ?? (detail.source === 'host' ? 'a program on the host' : 'a container'))
          : 'something else';
        return { ...entry, owner, suggestion: suggestions[entry.port] ?? null };
      });
  }, [ports, wanted, suggestions]);
  const duplicatePorts = useMemo(() => {
    const seen = new Map<number, string>();
    const duplicates: string[] = [];
    for (const entry of wanted) {
      const other = seen.get(entry.port);
      if (other) duplicates.push(`${other} and ${entry.name} both use ${entry.port}`);
      seen.set(entry.port, entry.name);
    }
    return duplicates;
  }, [wanted]);

  // Ask the server for a free port next to each conflicting one.
  useEffect(() => {
    for (const conflict of conflicts) {
      if (conflict.port in suggestions) continue;
      setSuggestions((current) => ({ ...current, [conflict.port]: null }));
      const start = Math.min(conflict.port + 1, 65535);
      api
        .get<PortAvailableResponse>('/ports/available', { query: { start, end: Math.min(start + 2000, 65535) } })
        .then((response) => setSuggestions((current) => ({ ...current, [conflict.port]: response.availablePort })))
        .catch(() => undefined);
    }
  }, [conflicts, suggestions]);

  const setValue = (name: string, value: FormValue) => {
    setValues((current) => ({ ...current, [name]: value }));
    setServerErrors((current) => {
      if (!(name in current)) return current;
      const next = { ...current };
      delete next[name];
      return next;
    });
  };

  // Behind Traefik the web port is published only when asked; other ports always are.
  const portsPublished = mode === 'standard' || publishPorts;
  const blockingConflicts = portsPublished ? conflicts : [];
  const hasErrors = Object.keys(errors).length > 0 || duplicatePorts.length > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setFailure(null);
    if (hasErrors || blockingConflicts.length > 0) return;
    void run(async () => {
      // The port table may have changed since the dialog opened: check again right before deploying.
      const fresh = await api.get<PortsCheckResponse>('/ports/check').catch(() => null);
      if (fresh) {
        setPorts(fresh);
        const used = new Set(fresh.usedPorts);
        if (portsPublished && wanted.some((entry) => used.has(entry.port))) return;
      }
      try {
        const response = await api.post<DeployAccepted>('/deploy', {
          appId: app.id,
          config: buildConfig(shown, values),
          mode: isProxyMode(mode) ? { type: mode, publishPorts } : { type: mode },
        });
        deploymentTracker.track({ id: response.deploymentId, appId: app.id, appName: app.displayName, startedAt: Date.now() });
        onStarted(response.deploymentId);
      } catch (error) {
        if (error instanceof ApiError && error.fields.length > 0) setServerErrors(fieldErrorsFromServer(error.fields));
        throw error;
      }
    });
  };

  const showError = (name: string) => (submitted || touched.has(name) ? errors[name] : serverErrors[name]);
  const fieldsOf = (variables: AppVariable[]) =>
    variables.map((variable) => (
      <VariableField
        key={variable.name}
        variable={variable}
        value={values[variable.name]}
        error={showError(variable.name)}
        onChange={(value) => setValue(variable.name, value)}
        onBlur={() => setTouched((current) => new Set(current).add(variable.name))}
      />
    ));

  return (
    <Dialog
      title={
        <span className="title-with-icon">
          <AppIcon name={app.displayName} icon={app.icon} size={32} /> Deploy {app.displayName}
        </span>
      }
      description={app.description}
      size="large"
      onClose={onClose}
      busy={busy}
      testId="deploy-dialog"
      footer={
        <DialogActions onCancel={onClose} busy={busy}>
          <button
            type="submit"
            form={formId}
            className="button button-primary"
            disabled={busy || (submitted && (hasErrors || blockingConflicts.length > 0))}
          >
            {busy ? 'Starting…' : `Deploy ${app.displayName}`}
          </button>
        </DialogActions>
      }
    >
      <form id={formId} className="stack-large" onSubmit={submit} noValidate>
        <div className="row small muted" style={{ gap: 12 }}>
          <span className="mono truncate" title={app.image}>
            {app.image}
          </span>
          {app.homepage ? (
            <a href={app.homepage} target="_blank" rel="noreferrer noopener">
              Homepage
            </a>
          ) : null}
        </div>
        {modes && !modes.cliAvailable ? (
          <InfoNotice tone="warning">
            <strong>Docker Compose was not found on the server.</strong> Deployments will fail until it is installed (see the Health page).
          </InfoNotice>
        ) : null}
        {app.privileges.length > 0 ? (
          <InfoNotice tone="warning">
            <strong>This app needs elevated rights{isAdmin ? '' : ', so only an administrator can deploy it'}.</strong>{' '}
            {app.privileges.join(' ')}
          </InfoNotice>
        ) : null}

        <fieldset>
          <legend>Deployment mode</legend>
          <div className="mode-options" role="radiogroup" aria-label="Deployment mode">
            {app.modes.map((type) => {
              const info = modes?.modes.find((item) => item.type === type) ?? FALLBACK_MODES[type];
              return (
                <label key={type} className="mode-option">
                  <input type="radio" name="mode" value={type} checked={mode === type} onChange={() => setMode(type)} />
                  <span>
                    <strong>{info.name}</strong>
                    <span className="muted small" style={{ display: 'block' }}>
                      {info.description}
                    </span>
                  </span>
                </label>
              );
            })}
          </div>
          {app.modes.length === 1 ? (
            <p className="field-help" style={{ marginTop: 6 }}>
              This app supports only this mode.
            </p>
          ) : null}
          {isProxyMode(mode) ? (
            <label className="checkbox" style={{ marginTop: 10 }}>
              <input type="checkbox" checked={publishPorts} onChange={(event) => setPublishPorts(event.target.checked)} />
              Also publish the web port on this host (Traefik serves the app either way)
            </label>
          ) : null}
        </fieldset>

        {mainFields.length > 0 ? (
          <fieldset>
            <legend>Settings</legend>
            <div className="form-grid">{fieldsOf(mainFields)}</div>
          </fieldset>
        ) : (
          <p className="muted">This app needs no settings beyond the defaults.</p>
        )}

        <PortStatus
          conflicts={conflicts}
          blocking={portsPublished}
          checking={!ports && !portsError}
          error={portsError}
          wanted={wanted}
          duplicates={duplicatePorts}
          onUse={setValue}
        />

        {advanced.length > 0 ? (
          <details className="advanced">
            <summary>Advanced settings ({advanced.length})</summary>
            <div className="form-grid">{fieldsOf(advanced)}</div>
          </details>
        ) : null}

        <ErrorBanner error={failure} />
        {submitted && hasErrors && !failure ? (
          <ErrorNotice title="Some settings need attention" details="Fix the highlighted fields, then deploy." />
        ) : null}
      </form>
    </Dialog>
  );
}
