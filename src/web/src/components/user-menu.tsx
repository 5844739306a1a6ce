// The header's account menu: who is signed in, account pages, theme, sign out. A WAI-ARIA menu
// button: arrow keys move, Escape closes and returns focus to the button.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { SessionUser } from '../api/auth-session.js';
import { navigate } from '../lib/router.js';
import { setTheme, useTheme, type ThemeChoice } from '../lib/theme.js';
import { CheckIcon, ChevronDownIcon } from './icons.js';

type UserMenuProps = { user: SessionUser; authEnabled: boolean; onSignOut: () => void; onSignIn: () => void };

export function UserMenu({ user, authEnabled, onSignOut, onSignIn }: UserMenuProps) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const triggerRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const { choice } = useTheme();

  useEffect(() => {
    if (!open) return;
    const items = menuRef.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]');
    items?.[0]?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!menuRef.current?.contains(event.target as Node) && !triggerRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) triggerRef.current?.focus();
  };

  const onMenuKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? []);
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      items[(index + 1) % items.length]?.focus();
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      items[(index - 1 + items.length) % items.length]?.focus();
    } else if (event.key === 'Home') {
      event.preventDefault();
      items[0]?.focus();
    } else if (event.key === 'End') {
      event.preventDefault();
      items[items.length - 1]?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  const go = (to: string) => {
    close(false);
    navigate(to);
  };

  const themeItem = (value: ThemeChoice, label: string) => (
    <button type="button" role="menuitemradio" aria-checked={choice === value} onClick={() => setTheme(value)}>
      <span style={{ width: 18, display: 'inline-flex' }}>{choice === value ? <CheckIcon size={16} /> : null}</span>
      {label}
    </button>
  );

  return (
    <div className="menu-wrap">
      <button
        ref={triggerRef}
        type="button"
        className="menu-trigger"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={`Account menu for ${user.username}`}
        data-testid="user-menu"
        onClick={() => setOpen((value) => !value)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span className="avatar" aria-hidden="true">
          {user.username.slice(0, 1).toUpperCase()}
        </span>
        <span className="username">{user.username}</span>
        <ChevronDownIcon size={16} />
      </button>
      {open ? (
        <div ref={menuRef} id={menuId} className="menu" role="menu" aria-label="Account" onKeyDown={onMenuKey}>
          <div className="menu-section">
            <strong>{user.username}</strong>
            <div className="muted small">
              {user.email ?? 'no email'} · {user.role}
            </div>
          </div>
          {authEnabled || user.role === 'admin' ? (
            <>
              <button type="button" role="menuitem" onClick={() => go('/account/password')}>
                Change password
              </button>
              <button type="button" role="menuitem" onClick={() => go('/account/sessions')}>
                Sessions
              </button>
              <button type="button" role="menuitem" onClick={() => go('/account/api-keys')}>
                API keys
              </button>
            </>
          ) : null}
          {user.role === 'admin' ? (
            <button type="button" role="menuitem" onClick={() => go('/users')}>
              Users
            </button>
          ) : null}
          <hr />
          <div className="menu-label" id={`${menuId}-theme`}>
            Theme
          </div>
          <div role="group" aria-labelledby={`${menuId}-theme`}>
            {themeItem('system', 'System')}
            {themeItem('light', 'Light')}
            {themeItem('dark', 'Dark')}
          </div>
          <hr />
          <button
            type="button"
            role="menuitem"
            onClick={() => {
              close(false);
              if (authEnabled) onSignOut();
              else onSignIn();
            }}
          >
            {authEnabled ? 'Sign out' : 'Sign in as another user'}
          </button>
        </div>
      ) : null}
    </div>
  );
}
