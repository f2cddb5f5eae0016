import { unsafeTestSwitches } from './unsafe-test-switches';

describe('unsafe test switches', () => {
  it('are all off unless the environment names them', () => {
    expect(unsafeTestSwitches({}).size).toBe(0);
    expect(unsafeTestSwitches({ LATCHKEY_UNSAFE_TEST_SWITCHES: '' }).size).toBe(0);
  });

  it('turns on exactly the named ones, ignoring unknown names', () => {
    const on = unsafeTestSwitches({
      LATCHKEY_UNSAFE_TEST_SWITCHES: 'ack-before-quorum, nonsense,read-without-quorum',
    });
    expect([...on].sort()).toEqual(['ack-before-quorum', 'read-without-quorum']);
  });
});
