import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger: JSON lines with the request keys appended per request by the middleware stack. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'aurum' });
