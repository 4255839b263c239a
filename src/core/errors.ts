/**
 * The one input-error class of the core (see style.md §2, after msgpack's DecodeError).
 * Its message is the single line the CLI prints on stderr (exit 2) and the extension shows.
 * It always names the input and what was expected.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, InputError.prototype);
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
