// Display names of the catalog's categories (folder names); unknown ones are prettified.

const CATEGORY_LABELS: Record<string, string> = {
  addons: 'Add-ons',
  'ai-tools': 'AI tools',
  backup: 'Backup',
  coding: 'Coding',
  downloadclients: 'Download clients',
  encoder: 'Encoders',
  kasmworkspace: 'Kasm workspaces',
  mediamanager: 'Media managers',
  mediaserver: 'Media servers',
  monitoring: 'Monitoring',
  myapps: 'My apps',
  request: 'Requests',
  selfhosted: 'Self-hosted',
  share: 'Sharing',
  system: 'System',
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? category.replace(/[-_]/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}
