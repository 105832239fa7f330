import { backoffDelayMs } from '../../../src/adapters/queue/rabbitmq/connection/backoffDelayMs';

/** "Equal jitter": the delay lies in [base/2, base], base = min(max, initial * 2^(attempt-1)). */
describe('backoffDelayMs', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    // attempt, initial, max, lowest (random = 0), highest (random -> 1)
    // the first attempt waits between half the initial delay and the initial delay
    [1, 100, 10_000, 50, 100],
    // each further attempt doubles the base
    [2, 100, 10_000, 100, 200],
    [4, 100, 10_000, 400, 800],
    // the cap holds however many attempts failed
    [8, 100, 10_000, 5000, 10_000],
    [60, 100, 10_000, 5000, 10_000],
    // attempt 0 or below counts as the first (no shorter delay than the initial one allows)
    [0, 100, 10_000, 50, 100],
    [-3, 100, 10_000, 50, 100],
    // a cap below the initial delay wins
    [1, 500, 200, 100, 200],
  ])('when attempt %d backs off from %d ms capped at %d ms, then it waits %d to %d ms', (attempt, initial, max, lowest, highest) => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    expect(backoffDelayMs(attempt, initial, max)).toBe(lowest);
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999);
    expect(backoffDelayMs(attempt, initial, max)).toBe(highest);
  });

  it('when many reconnects back off at once, then their delays spread over the whole jitter range', () => {
    const delays = Array.from({ length: 400 }, () => backoffDelayMs(3, 100, 10_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...delays)).toBeLessThanOrEqual(400);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});
