import { nonOkResponses, parseHeyReport, transportErrors } from '../../harness/hey';

const SUMMARY = `
Summary:
  Total:	2.0124 secs
  Slowest:	0.0082 secs
  Fastest:	0.0015 secs
  Average:	0.0030 secs
  Requests/sec:	9.9386

Latency distribution:
  10% in 0.0018 secs
  50% in 0.0027 secs
  95% in 0.0082 secs
  0% in 0.0000 secs

Status code distribution:
  [200]	14 responses
  [503]	2 responses

Error distribution:
  [6]	Get "http://127.0.0.1:18999/": dial tcp 127.0.0.1:18999: connect: connection refused
`;

describe("hey's summary report", () => {
  it('when hey prints its summary, then the percentiles, statuses and transport errors are read from it (empty percentile rows dropped)', () => {
    const report = parseHeyReport(SUMMARY);
    expect(report).toEqual({
      totalSeconds: 2.0124,
      requestsPerSecond: 9.9386,
      percentiles: { 10: 0.0018, 50: 0.0027, 95: 0.0082 },
      statuses: { 200: 14, 503: 2 },
      errors: { 'Get "http://127.0.0.1:18999/": dial tcp 127.0.0.1:18999: connect: connection refused': 6 },
    });
    expect(transportErrors(report)).toBe(6);
    expect(nonOkResponses(report)).toBe(2);
  });

  it('when the output is not a hey summary, then parsing fails naming what is missing', () => {
    expect(() => parseHeyReport('flag provided but not defined: -x')).toThrow(/not a hey summary \(no Total/);
  });
});
