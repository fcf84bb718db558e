//! Panic and HardFault handlers: a readable defmt message, then a failing exit.

use cortex_m_rt::{ExceptionFrame, exception};

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    defmt::error!("panic: {}", defmt::Display2Format(info));
    crate::exit(false)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    defmt::error!(
        "HardFault: pc={=u32:#010x} lr={=u32:#010x} r0={=u32:#x} r1={=u32:#x}",
        frame.pc(),
        frame.lr(),
        frame.r0(),
        frame.r1()
    );
    crate::exit(false)
}
