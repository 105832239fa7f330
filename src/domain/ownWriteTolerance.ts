/**
 * Docker stamps `UpdatedAt` when it stores our own update, a moment after the
 * `alertscale.state.at` we wrote into it. A later `UpdatedAt` is someone else's
 * change; an earlier one means our recorded time is forged or skewed.
 */
export const OWN_WRITE_TOLERANCE_MS = 5000;
