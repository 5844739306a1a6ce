// How an app id maps onto its compose project and its folder under DATA_DIR/stacks.

/** Compose project names allow lowercase letters, digits, "-" and "_" only. */
export function composeProjectName(prefix: string, appId: string): string {
  return `${prefix}-${appId.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`;
}

/** The folder DATA_DIR/stacks/<appId>; app ids are validated (AppIdSchema) before they get here. */
export function stackNameFor(appId: string): string {
  return appId;
}
