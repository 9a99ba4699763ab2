/**
 * node:test's describe/it and hooks, with one difference: a suite skipped with `{ skip: reason }` still
 * declares its tests, each one skipped with the reason, so that the runner's summary counts them
 * ("# skipped 150"). node:test itself never runs a skipped suite's body, so its tests vanish from the count
 * and a run without the S3 test server would look complete. Hooks of a skipped suite do not run.
 */
import * as nodeTest from 'node:test';

type SuiteBody = () => void;
type TestBody = (t: nodeTest.TestContext) => void | Promise<void>;
type HookBody = () => void | Promise<void>;
type SuiteOptions = { skip?: string | boolean | undefined } & Omit<nodeTest.TestOptions, 'skip'>;

/** The reason every test declared now is skipped for, inside a skipped suite. */
let skipping: string | undefined;

export function describe(name: string, optionsOrBody: SuiteOptions | SuiteBody, maybeBody?: SuiteBody): void {
  const options = typeof optionsOrBody === 'function' ? {} : optionsOrBody;
  const body = typeof optionsOrBody === 'function' ? optionsOrBody : (maybeBody ?? (() => undefined));
  const { skip, ...rest } = options;
  const reason = skip === true ? 'skipped' : skip || undefined;
  if (reason === undefined) {
    void nodeTest.describe(name, rest, body);
    return;
  }
  void nodeTest.describe(name, rest, () => {
    const outer = skipping;
    skipping = outer ?? reason;
    try {
      body(); // suite bodies run at once, while their tests are declared
    } finally {
      skipping = outer;
    }
  });
}

export function it(name: string, optionsOrBody?: nodeTest.TestOptions | TestBody, maybeBody?: TestBody): void {
  const options = typeof optionsOrBody === 'function' || optionsOrBody === undefined ? {} : optionsOrBody;
  const body = typeof optionsOrBody === 'function' ? optionsOrBody : maybeBody;
  void nodeTest.it(name, skipping === undefined ? options : { ...options, skip: skipping }, body);
}

const hook =
  (register: (fn: HookBody) => void) =>
  (fn: HookBody): void => {
    if (skipping === undefined) register(fn);
  };

export const before = hook((fn) => nodeTest.before(fn));
export const after = hook((fn) => nodeTest.after(fn));
export const beforeEach = hook((fn) => nodeTest.beforeEach(fn));
export const afterEach = hook((fn) => nodeTest.afterEach(fn));
