import { createInterruptibleSleep } from '../../../src/adapters/queue/rabbitmq/createInterruptibleSleep';
import { withTimeout } from '../../../src/adapters/queue/rabbitmq/withTimeout';

describe('createInterruptibleSleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('when nothing interrupts it, then a sleep ends after its time and not before', async () => {
    const pause = createInterruptibleSleep();
    let done = false;
    const sleeping = pause.sleep(1000).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  test('when interrupted, then running sleeps end at once, later ones do not wait, and no timer is left', async () => {
    const pause = createInterruptibleSleep();
    const running = pause.sleep(60_000);
    pause.interrupt();
    await running;
    await pause.sleep(60_000);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('withTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('when the promise settles in time, then its value comes back and no timer is left', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, 'no answer')).resolves.toBe(7);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('when the promise takes longer, then it rejects naming what was missing and the limit', async () => {
    const late = withTimeout(new Promise(() => undefined), 5000, 'no publisher confirm');
    const outcome = expect(late).rejects.toThrow('no publisher confirm after 5000 ms');
    await jest.advanceTimersByTimeAsync(5000);
    await outcome;
  });

  test('when the promise rejects in time, then its own error comes back', async () => {
    await expect(withTimeout(Promise.reject(new Error('nacked')), 1000, 'no answer')).rejects.toThrow('nacked');
  });
});
