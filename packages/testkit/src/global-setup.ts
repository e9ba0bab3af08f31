import { stackEndpoints } from './stack.ts';

/** Fails the integration run at once, with the command to run, when no stack is up. */
export default function setup(): void {
  stackEndpoints();
}
