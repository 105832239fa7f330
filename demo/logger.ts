import winston from 'winston';

/** One JSON object per line on stdout, like the receiver's logs. */
export function createDemoLogger(component: string, level: string): winston.Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
