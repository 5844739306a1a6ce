import { useState } from 'react';
import { CopyIcon } from './icons.js';
import { toast } from './toaster.js';

/**
 * Copies a value to the clipboard and says "Copied" on the button for two seconds (and to screen
 * readers). `what` names the value for screen readers: "Copy API key".
 */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button
        type="button"
        className="button button-small"
        aria-label={copied ? 'Copied' : `Copy ${what}`}
        onClick={() => {
          navigator.clipboard.writeText(text).then(
            () => {
              setCopied(true);
              window.setTimeout(() => setCopied(false), 2000);
            },
            () => toast('error', 'Copy failed', 'Select the text and copy it by hand.'),
          );
        }}
      >
        <CopyIcon size={14} /> {copied ? 'Copied' : 'Copy'}
      </button>
      <span className="visually-hidden" role="status">
        {copied ? `${what} copied to the clipboard` : ''}
      </span>
    </>
  );
}
