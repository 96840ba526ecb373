export { paymentsService } from './payments.service.js';
// For the platform's tests: the fake Crypto Pay (a local HTTP server built from its documentation).
export { FakeCryptoPay } from './providers/crypto-pay/testing/fake-crypto-pay.harness.js';
