import { useEffect, useState } from 'preact/hooks';
import { apiKey } from '../api.ts';
import { Assortment } from './Assortment.tsx';
import { FindStock } from './FindStock.tsx';
import { KeyForm } from './KeyForm.tsx';
import { Operations } from './Operations.tsx';

const views = {
  stock: 'Find stock',
  assortment: "A location's assortment",
  operations: 'Operations',
} as const;
type View = keyof typeof views;

const viewOf = (hash: string): View => {
  const name = hash.replace(/^#\/?/, '').split('?')[0] as View;
  return name in views ? name : 'stock';
};

/** The shell: the key (asked first), the three views behind links (#/stock, ...), one at a time. */
export function App() {
  const [key, setKey] = useState(apiKey.get());
  const [view, setView] = useState<View>(viewOf(location.hash));

  useEffect(() => {
    const onHash = () => setView(viewOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${views[view]} · Inventory console`;
  }, [view]);

  const forget = () => {
    apiKey.forget();
    setKey('');
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <h1>Inventory console</h1>
        <nav aria-label="Views">
          <ul>
            {(Object.keys(views) as View[]).map((name) => (
              <li key={name}>
                <a href={`#/${name}`} aria-current={view === name ? 'page' : undefined}>
                  {views[name]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {key && view !== 'operations' && (
          <button type="button" class="secondary" onClick={forget}>
            Forget API key
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {view === 'operations' ? (
          <Operations />
        ) : !key ? (
          <KeyForm
            onKey={(k) => {
              apiKey.set(k);
              setKey(k);
            }}
          />
        ) : view === 'stock' ? (
          <FindStock onUnauthorized={forget} />
        ) : (
          <Assortment onUnauthorized={forget} />
        )}
      </main>
    </>
  );
}
