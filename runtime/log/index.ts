export { createLogger, SecretScrubber, REDACT_PATHS, REDACTED, type Logger, type LoggerOptions, type RedactingLogger } from './logger.js';
