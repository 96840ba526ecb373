import { isInfrastructureFailure } from './infrastructure-failure.js';

describe('isInfrastructureFailure', () => {
  it('recognises an unreachable or restarting database, also when wrapped', () => {
    expect(isInfrastructureFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isInfrastructureFailure(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(true);
    expect(isInfrastructureFailure(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe(true);
    expect(isInfrastructureFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isInfrastructureFailure(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe(true);
  });

  it("leaves the handler's own failures to the retry-and-park policy", () => {
    expect(isInfrastructureFailure(new Error('cannot render template'))).toBe(false);
    expect(isInfrastructureFailure(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isInfrastructureFailure(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
    expect(isInfrastructureFailure(undefined)).toBe(false);
  });
});
