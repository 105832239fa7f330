import winston from 'winston';

/** JSON lines on stdout: one per decision, easy to grep for "why didn't it scale?". */
export function createLogger(level: string): winston.Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { app: 'alertscale' },
    transports: [new winston.transports.Console()],
  });
}
