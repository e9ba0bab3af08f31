import { useState } from 'preact/hooks';

/** Asks for the query API key; the page never holds one of its own. */
export function KeyForm({ onKey }: { onKey: (key: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <section aria-labelledby="key-title">
      <h2 id="key-title">Your API key</h2>
      <p>
        The console reads stock with the query API's key you were given (scope <code>availability:read</code>
        ). It is kept in this browser tab only, until you close it or choose <em>Forget API key</em>.
      </p>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim()) onKey(value.trim());
        }}
      >
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          required
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <button type="submit">Use this key</button>
      </form>
    </section>
  );
}
