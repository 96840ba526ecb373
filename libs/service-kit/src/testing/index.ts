// What services' tests share; `@botplatform/service-kit/testing`, never imported by production code.
export { TestClock } from './test-clock.js';
export { startServiceUnderTest, type ServiceUnderTest, type ServiceUnderTestOptions } from './service-under-test.js';
