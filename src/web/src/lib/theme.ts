// Light/dark theme: "system" follows prefers-color-scheme; an explicit choice is remembered.
import { useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'hlr.theme';
const listeners = new Set<() => void>();
const media = window.matchMedia('(prefers-color-scheme: dark)');

function readChoice(): ThemeChoice {
  const stored = localStorage.getItem(KEY);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

let choice: ThemeChoice = readChoice();

function resolved(): 'light' | 'dark' {
  if (choice === 'system') return media.matches ? 'dark' : 'light';
  return choice;
}

export function applyTheme(): void {
  const theme = resolved();
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  for (const listener of listeners) listener();
}

media.addEventListener('change', () => {
  if (choice === 'system') applyTheme();
});

export function setTheme(next: ThemeChoice): void {
  choice = next;
  if (next === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, next);
  applyTheme();
}

export function useTheme(): { choice: ThemeChoice; theme: 'light' | 'dark' } {
  const key = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => `${choice}:${resolved()}`,
  );
  const [c, t] = key.split(':') as [ThemeChoice, 'light' | 'dark'];
  return { choice: c, theme: t };
}
