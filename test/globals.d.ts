/** What web-test-runner.config.mjs puts on every browser test page: the real server's URL and officials' tokens. */
interface Window {
  TIEPDAN_TEST_SERVER?: string;
  TIEPDAN_TEST_TOKENS?: Record<'chair' | 'official' | 'clerk' | 'operator' | 'observer', string>;
}
