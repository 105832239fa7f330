import { createRateLimiter } from '../../../src/adapters/observability/createRateLimiter';

describe('createRateLimiter', () => {
  test('when more events than the limit arrive in one period, then the rest are refused and counted for the next line allowed', () => {
    let now = 0;
    const limiter = createRateLimiter(2, 60_000, () => now);
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()].map((taken) => taken.allowed)).toEqual([true, true, false, false]);
    now = 60_000;
    expect(limiter.take()).toEqual({ allowed: true, suppressed: 2 });
    expect(limiter.take()).toEqual({ allowed: true, suppressed: 0 });
  });
});
