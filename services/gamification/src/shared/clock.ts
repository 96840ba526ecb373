// The platform's one Clock token: the service's module provides it, a test harness replaces it.
export { Clock, SystemClock } from '@botplatform/service-kit';
