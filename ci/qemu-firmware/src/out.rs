//! Output and exit status through semihosting, and a sink that compares as it writes.

use core::fmt::{self, Write};

use cortex_m_semihosting::{debug, hio};

/// Prints one line on the host's standard output.
pub fn line(args: fmt::Arguments<'_>) {
    if let Ok(mut stdout) = hio::hstdout() {
        let _ = stdout.write_fmt(args);
        let _ = stdout.write_str("\n");
    }
}

/// Ends the QEMU run: exit status 0 if `success`, else 1.
pub fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::bkpt();
    }
}

/// Compares what is written with `expected` without keeping it: remembers the first
/// differing byte and keeps the written bytes around it for the report.
pub struct Compare<'a> {
    expected: &'a [u8],
    at: usize,
    first_difference: Option<usize>,
    window: heapless::Vec<u8, 96>,
}

impl<'a> Compare<'a> {
    /// Compares against `expected`.
    pub fn new(expected: &'a [u8]) -> Self {
        Self {
            expected,
            at: 0,
            first_difference: None,
            window: heapless::Vec::new(),
        }
    }

    /// `Ok` if every byte matched and none is missing; else the offset of the first
    /// difference, what the host wrote there and what the target wrote.
    pub fn finish(&self) -> Result<(), (usize, &[u8], &[u8])> {
        let at = match self.first_difference {
            None if self.at == self.expected.len() => return Ok(()),
            None => self.at.min(self.expected.len()),
            Some(at) => at,
        };
        let start = at.saturating_sub(32);
        let host = self
            .expected
            .get(start..self.expected.len().min(start + 96))
            .unwrap_or(&[]);
        Err((at, host, &self.window))
    }
}

impl Write for Compare<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &byte in s.as_bytes() {
            if self.first_difference.is_none() && self.expected.get(self.at) != Some(&byte) {
                self.first_difference = Some(self.at);
            }
            // Keep the 32 bytes before the first difference and what follows it.
            match self.first_difference {
                None => {
                    if self.window.is_full() || self.window.len() >= 32 {
                        self.window.remove(0);
                    }
                    let _ = self.window.push(byte);
                }
                Some(_) => {
                    let _ = self.window.push(byte);
                }
            }
            self.at += 1;
        }
        Ok(())
    }
}

/// Text of up to `bytes.len()` bytes, lossy, for a report.
pub struct Shown<'a>(pub &'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{fffd}")?;
            }
        }
        Ok(())
    }
}
