//! ESC/POS tickets: layout, encoding, rendering, drivers.
