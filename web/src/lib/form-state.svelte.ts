import { placeError } from './forms.ts';

/**
 * Submit state of a form: busy while the request runs, then the server's error placed under the
 * field it names (`param`), or as a message for the whole form.
 */
export class FormState {
  errors = $state<Record<string, string>>({});
  formError = $state('');
  busy = $state(false);
  readonly #fields: readonly string[];

  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }

  /** Runs `fn`; returns true when it succeeded. */
  async run(fn: () => Promise<void>, invalidMessage?: string): Promise<boolean> {
    this.busy = true;
    this.errors = {};
    this.formError = '';
    try {
      await fn();
      return true;
    } catch (err) {
      const placed = placeError(err, this.#fields);
      if (placed.field) {
        this.errors = { [placed.field]: placed.message };
        if (invalidMessage) this.formError = invalidMessage;
      } else this.formError = placed.message;
      return false;
    } finally {
      this.busy = false;
    }
  }
}
