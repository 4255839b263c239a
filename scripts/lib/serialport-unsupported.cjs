// Build-time replacement for the `serialport` package inside the bundled cdt-gdb-adapter (dist/gdbAdapter.js).
// The adapter needs serialport only for the optional `uart` output of a target (an MCU's serial console); the
// real package loads a native addon when it is required, which a single-file bundle cannot carry. Xen Memory
// Lens attaches to QEMU's gdbstub over TCP and never asks for a UART, so using one fails with this message.
'use strict';
class Unsupported {
  constructor() {
    throw new Error(
      'Xen Memory Lens bundles cdt-gdb-adapter without serial port support (the launch config\'s "uart" is not available)',
    );
  }
}
module.exports = { SerialPort: Unsupported, ReadlineParser: Unsupported };
