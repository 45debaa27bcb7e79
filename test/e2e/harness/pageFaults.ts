/**
 * Every page a spec opens is watched: an uncaught page error, or a request of the app's own origin
 * that failed (a network error, or HTTP 400 and above), fails the test that caused it.
 *
 * Specs import `test` from here (or from ../fixtures.ts, which builds on it). Its automatic
 * `pageFaults` fixture listens to the worker's browser for the whole test, so the bare `page`
 * fixture, a context a spec makes itself with `browser.newContext()` and every page opened in those
 * are covered alike, with nothing for a spec to remember.
 *
 * "Own origin" is the page's own document and the origin it loaded from, plus any origin a fixture
 * registers with `ownOrigin()` (the bridge server). Requests elsewhere (a foreign host a test points the app at on purpose) are
 * only kept as problems, for messages. A request aborted by a reload or close (net::ERR_ABORTED) is
 * what the test asked for and counts for nothing.
 *
 * The check runs once the test body passed: a test that failed already keeps its own failure, with
 * the faults attached to its report. A spec that provokes a page error on purpose takes it back
 * with `pageFaults.forgive(pattern)`.
 */
import { test as base, expect, type Browser, type BrowserContext, type Page, type Request, type Response } from '@playwright/test';

export { expect };

/** A page error or failed own-origin request, with who had it. */
export interface PageFault {
  readonly who: string;
  readonly what: string;
}

export interface PageFaults {
  /** Faults so far in this test. */
  readonly faults: readonly PageFault[];
  /** Names `page` in messages ("alice's media host"); unnamed pages read "page N". */
  name(page: Page, who: string): void;
  /** Everything that went wrong in `page` (faults and foreign problems alike), live: for a fixture's own error messages. */
  problemsOf(page: Page): readonly string[];
  /** Requests to `origin` count as the app's own from every page (the server a fixture runs). */
  ownOrigin(origin: string): void;
  /** Drops the faults whose text matches `pattern` (a spec that provokes one on purpose); returns how many. */
  forgive(pattern: RegExp): number;
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    // Not a URL (about:blank, data:): it has no origin to compare.
    return undefined;
  }
}

/**
 * The collector behind the fixture: watches `browser`'s contexts (those open now and those created
 * later) and their pages until `stop()`.
 */
export class PageFaultCollector implements PageFaults {
  private readonly list: PageFault[] = [];
  private readonly names = new WeakMap<Page, string>();
  private readonly problems = new WeakMap<Page, string[]>();
  private readonly watchedContexts = new WeakSet<BrowserContext>();
  private readonly watchedPages = new WeakSet<Page>();
  private readonly origins = new Set<string>();
  private readonly undo: (() => void)[] = [];
  private pageCount = 0;

  constructor(private readonly log: (line: string) => void = (line) => console.error(line)) {}

  get faults(): readonly PageFault[] {
    return this.list;
  }

  watchBrowser(browser: Browser): void {
    const onContext = (context: BrowserContext): void => this.watchContext(context);
    browser.on('context', onContext);
    this.undo.push(() => browser.off('context', onContext));
    for (const context of browser.contexts()) this.watchContext(context);
  }

  watchContext(context: BrowserContext): void {
    if (this.watchedContexts.has(context)) return;
    this.watchedContexts.add(context);
    const onPage = (page: Page): void => this.watchPage(page);
    context.on('page', onPage);
    this.undo.push(() => context.off('page', onPage));
    for (const page of context.pages()) this.watchPage(page);
  }

  watchPage(page: Page): void {
    if (this.watchedPages.has(page)) return;
    this.watchedPages.add(page);
    this.pageCount += 1;
    const fallbackName = `page ${this.pageCount}`;
    const who = (): string => this.names.get(page) ?? fallbackName;
    const problems: string[] = [];
    this.problems.set(page, problems);
    // The page's own document is the app's by definition, whatever the page showed before it.
    const own = (request: Request): boolean => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) return true;
      const origin = originOf(request.url());
      return origin !== undefined && (this.origins.has(origin) || origin === originOf(page.url()));
    };
    const onError = (error: Error): void => {
      problems.push(`page error: ${error.message}`);
      this.add(who(), `threw: ${error.message}`);
    };
    const onResponse = (response: Response): void => {
      if (response.status() < 400) return;
      problems.push(`HTTP ${response.status()} ${response.url()}`);
      if (own(response.request())) this.add(who(), `got HTTP ${response.status()} for ${response.url()}`);
    };
    const onFailed = (request: Request): void => {
      const why = request.failure()?.errorText ?? '';
      problems.push(`request failed: ${request.url()} ${why}`);
      if (own(request) && why !== 'net::ERR_ABORTED') this.add(who(), `request failed: ${request.url()} ${why}`);
    };
    page.on('pageerror', onError);
    page.on('response', onResponse);
    page.on('requestfailed', onFailed);
    this.undo.push(() => {
      page.off('pageerror', onError);
      page.off('response', onResponse);
      page.off('requestfailed', onFailed);
    });
  }

  name(page: Page, who: string): void {
    this.watchPage(page);
    this.names.set(page, who);
  }

  problemsOf(page: Page): readonly string[] {
    return this.problems.get(page) ?? [];
  }

  ownOrigin(origin: string): void {
    const normalised = originOf(origin);
    if (normalised === undefined) throw new Error(`not an origin: ${origin}`);
    this.origins.add(normalised);
  }

  forgive(pattern: RegExp): number {
    const kept = this.list.filter((fault) => !pattern.test(`${fault.who} ${fault.what}`));
    const dropped = this.list.length - kept.length;
    this.list.splice(0, this.list.length, ...kept);
    return dropped;
  }

  /** Stops listening (the browser outlives the test). */
  stop(): void {
    for (const step of this.undo.splice(0)) step();
  }

  /** The error a test with faults fails with, or undefined. */
  failure(): Error | undefined {
    if (this.list.length === 0) return undefined;
    return new Error(`The app's pages went wrong during the test:\n${this.list.map((f) => `${f.who} ${f.what}`).join('\n')}`);
  }

  private add(who: string, what: string): void {
    this.list.push({ who, what });
    this.log(`[${who}] ${what}`);
  }
}

export const test = base.extend<{ pageFaults: PageFaults }>({
  pageFaults: [
    async ({ browser }, use, testInfo) => {
      const collector = new PageFaultCollector();
      collector.watchBrowser(browser);
      await use(collector);
      collector.stop();
      const failure = collector.failure();
      if (!failure) return;
      if (testInfo.status === 'passed') throw failure;
      await testInfo.attach('page-faults.txt', { body: failure.message, contentType: 'text/plain' });
    },
    { auto: true },
  ],
});
