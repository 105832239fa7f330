/**
 * Jest's own runner, declared serial: the files of the `services` project run
 * one at a time in the main process (as --runInBand would), while the `unit`
 * project of the same run keeps its parallel workers.
 */
const { default: TestRunner } = require('jest-runner');

class SerialRunner extends TestRunner {
  constructor(...args) {
    super(...args);
    // A class field of the base runner, read by Jest's scheduler.
    this.isSerial = true;
  }
}

module.exports = SerialRunner;
