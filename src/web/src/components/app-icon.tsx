import { memo, useState } from 'react';

/** A stable hue per name, so an app keeps its colour everywhere. */
function hueOf(name: string): number {
  let hash = 0;
  for (let index = 0; index < name.length; index += 1) hash = (hash * 31 + name.charCodeAt(index)) | 0;
  return Math.abs(hash) % 360;
}

function monogramOf(name: string): string {
  const words = name
    .replace(/[^A-Za-z0-9 ]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (words.length >= 2) return `${words[0]?.[0] ?? ''}${words[1]?.[0] ?? ''}`.toUpperCase();
  const word = words[0] ?? '?';
  return (word[0] ?? '?').toUpperCase() + (word[1] ?? '').toLowerCase();
}

/**
 * The app's icon when the template names an image URL, otherwise a generated monogram on a colour
 * derived from the name (the catalog ships no icon files).
 */
export const AppIcon = memo(function AppIcon({ name, icon, size = 44 }: { name: string; icon?: string; size?: number }) {
  const [failed, setFailed] = useState(false);
  const isUrl = !!icon && /^(https:\/\/|\/|data:image\/)/.test(icon);
  if (isUrl && !failed) {
    return <img className="app-icon" src={icon} alt="" width={size} height={size} loading="lazy" onError={() => setFailed(true)} />;
  }
  const hue = hueOf(name);
  return (
    <span
      className="app-icon app-icon-monogram"
      aria-hidden="true"
      style={{
        width: size,
        height: size,
        fontSize: size * 0.38,
        background: `linear-gradient(135deg, hsl(${hue} 70% 52%), hsl(${(hue + 40) % 360} 72% 42%))`,
      }}
    >
      {monogramOf(name)}
    </span>
  );
});
