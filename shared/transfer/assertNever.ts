/**
 * Closes an exhaustive `switch`: if a new variant is added to a union and a switch forgets it, the
 * compiler fails here instead of the code silently falling through at run time.
 */
export function assertNever(value: never): never {
  throw new Error(`Unhandled variant: ${JSON.stringify(value)}`);
}
