import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

type HealthView = { status: string; docker: { status: string }; catalog: { apps: number } };

function App() {
  const [health, setHealth] = useState<HealthView | null>(null);
  useEffect(() => {
    fetch('/api/health')
      .then((response) => response.json() as Promise<HealthView>)
      .then(setHealth)
      .catch(() => setHealth(null));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '40rem', margin: '4rem auto', padding: '0 1rem' }}>
      <h1>HomelabARR CE</h1>
      <p>The dashboard is on its way. Server status: {health ? `${health.status}, Docker ${health.docker.status}` : 'loading…'}</p>
    </main>
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App /></StrictMode>);
