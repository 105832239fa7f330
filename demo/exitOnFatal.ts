import { ConfigError } from './parseEnv';

/**
 * Last resort for a demo process's main(): prints one JSON line (config errors
 * name the variable) and exits 1, so the orchestrator restarts it.
 */
export function exitOnFatal(component: string): (err: unknown) => never {
  return (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const kind = err instanceof ConfigError ? 'config' : 'fatal';
    process.stderr.write(`${JSON.stringify({ level: 'error', component, message: `${kind}: ${message}`, timestamp: new Date().toISOString() })}\n`);
    process.exit(1);
  };
}
