//! `memcpy` and `memmove` for the static musl build of hubspot-mcp (issue #14).
//!
//! musl's x86_64 `memcpy` moves a few bytes with `movsb` one at a time and the rest with `rep movsq`,
//! whose start-up costs tens of cycles: fine for large copies, slow for the short ones that JSON
//! serialization and string building make by the thousand (every token written into a `Vec`, every
//! key cloned). In a profile of a `tools/call` under load, 40 % of the CPU samples were in musl's
//! `memcpy`, about 3,600 calls per request, 14 bytes on average. This one copies up to 64 bytes with
//! overlapping unaligned loads and stores (no loop, no branch per byte), and longer runs with
//! `rep movsb`, which CPUs with ERMSB/FSRM (every x86_64 of the last decade) run at full speed.
//!
//! The binary links this crate (`use fastcopy as _;` in `src/main.rs`), so the linker takes this
//! `memcpy` instead of libc.a's `memcpy.o` (an archive member is pulled only for a symbol still
//! undefined). Other targets, glibc builds among them (tests, `cargo run`), keep their libc's own: there
//! the crate defines no symbol, and its tests check the copy itself.
//! No loop here may be one LLVM could turn back into a call to `memcpy`: the only loop is the
//! `rep movsb` instruction.
#![cfg_attr(not(test), no_std)]
#![cfg(target_arch = "x86_64")]

use core::arch::asm;

/// C's `memcpy`, in the static musl build only.
///
/// # Safety
/// The C contract: `src` readable and `dest` writable for `n` bytes, the two regions disjoint.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[no_mangle]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract is `copy`'s.
    unsafe { copy(dest, src, n) }
}

/// C's `memmove`, in the static musl build only. Defined with `memcpy` because musl's `memmove`
/// jumps into its `memcpy` (the hidden `__memcpy_fwd` of the same object): keeping musl's would pull
/// that object in and define `memcpy` twice.
///
/// # Safety
/// The C contract: `src` readable and `dest` writable for `n` bytes; they may overlap.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[no_mangle]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract is `copy_overlapping`'s.
    unsafe { copy_overlapping(dest, src, n) }
}

/// Copies `n` bytes from `src` to `dest`, which may overlap; returns `dest`.
///
/// # Safety
/// `src` readable and `dest` writable for `n` bytes.
#[inline(always)]
pub unsafe fn copy_overlapping(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    let (d, s) = (dest as usize, src as usize);
    // Up to 64 bytes `copy` reads everything before it writes anything, and a forward copy is right
    // whenever the destination starts before the source or past its end.
    if n <= 64 || d <= s || d >= s.wrapping_add(n) {
        // SAFETY: as above; the caller vouches for the ranges.
        return unsafe { copy(dest, src, n) };
    }
    // The destination overlaps the source's tail: copy backwards, from the last byte down.
    // SAFETY: rsi/rdi point at the last byte of each range (n > 64, so n - 1 is in range); the
    // direction flag is set for the copy and cleared again before anything else runs.
    unsafe {
        asm!(
            "std",
            "rep movsb",
            "cld",
            inout("rcx") n => _,
            inout("rdi") dest.add(n - 1) => _,
            inout("rsi") src.add(n - 1) => _,
            options(nostack)
        );
    }
    dest
}

/// Copies `n` bytes from `src` to `dest` (which must not overlap); returns `dest`. The body of
/// `memcpy`, public so that its tests run on any x86_64 build.
///
/// # Safety
/// `src` readable and `dest` writable for `n` bytes, the two regions disjoint.
#[inline(always)]
pub unsafe fn copy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: every access below stays within [0, n) of `src` and `dest`, which the caller vouches
    // for; unaligned reads and writes are allowed by `read_unaligned` / `write_unaligned`.
    unsafe {
        if n <= 16 {
            if n >= 8 {
                let a = src.cast::<u64>().read_unaligned();
                let b = src.add(n - 8).cast::<u64>().read_unaligned();
                dest.cast::<u64>().write_unaligned(a);
                dest.add(n - 8).cast::<u64>().write_unaligned(b);
            } else if n >= 4 {
                let a = src.cast::<u32>().read_unaligned();
                let b = src.add(n - 4).cast::<u32>().read_unaligned();
                dest.cast::<u32>().write_unaligned(a);
                dest.add(n - 4).cast::<u32>().write_unaligned(b);
            } else if n > 0 {
                // 1 to 3 bytes: the first, the middle and the last (some of them the same byte).
                let a = *src;
                let b = *src.add(n / 2);
                let c = *src.add(n - 1);
                *dest = a;
                *dest.add(n / 2) = b;
                *dest.add(n - 1) = c;
            }
        } else if n <= 32 {
            let a = src.cast::<u128>().read_unaligned();
            let b = src.add(n - 16).cast::<u128>().read_unaligned();
            dest.cast::<u128>().write_unaligned(a);
            dest.add(n - 16).cast::<u128>().write_unaligned(b);
        } else if n <= 64 {
            let a = src.cast::<u128>().read_unaligned();
            let b = src.add(16).cast::<u128>().read_unaligned();
            let c = src.add(n - 32).cast::<u128>().read_unaligned();
            let d = src.add(n - 16).cast::<u128>().read_unaligned();
            dest.cast::<u128>().write_unaligned(a);
            dest.add(16).cast::<u128>().write_unaligned(b);
            dest.add(n - 32).cast::<u128>().write_unaligned(c);
            dest.add(n - 16).cast::<u128>().write_unaligned(d);
        } else {
            asm!(
                "rep movsb",
                inout("rcx") n => _,
                inout("rdi") dest => _,
                inout("rsi") src => _,
                options(nostack, preserves_flags)
            );
        }
    }
    dest
}

#[cfg(test)]
mod tests {
    use super::{copy, copy_overlapping};

    /// Every length from 0 to 300 at every alignment of source and destination within 16 bytes:
    /// exactly the `n` bytes are copied, and not one byte on either side of them is touched.
    #[test]
    fn copies_exactly_n_bytes_at_any_length_and_alignment() {
        let src: Vec<u8> = (0..400u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in 0..300 {
            for s_off in 0..16 {
                for d_off in 0..16 {
                    let mut dst = vec![0xAAu8; 400];
                    // SAFETY: both ranges are inside their buffers and the buffers are distinct.
                    let r =
                        unsafe { copy(dst.as_mut_ptr().add(d_off), src.as_ptr().add(s_off), n) };
                    assert_eq!(r, dst.as_mut_ptr().wrapping_add(d_off));
                    assert_eq!(
                        &dst[d_off..d_off + n],
                        &src[s_off..s_off + n],
                        "n={n} s={s_off} d={d_off}"
                    );
                    assert!(
                        dst[..d_off].iter().all(|&b| b == 0xAA),
                        "before: n={n} d={d_off}"
                    );
                    assert!(
                        dst[d_off + n..].iter().all(|&b| b == 0xAA),
                        "after: n={n} d={d_off}"
                    );
                }
            }
        }
    }

    /// `copy_overlapping` at every length to 300 and every shift of the destination against the
    /// source within ±80 bytes (forwards, backwards, disjoint): the result is what a copy through a
    /// temporary gives, and nothing outside the destination changes.
    #[test]
    fn moves_overlapping_ranges_like_a_copy_through_a_temporary() {
        for n in 0..300usize {
            for shift in -80i64..=80 {
                let mut buf: Vec<u8> = (0..800u32).map(|i| (i * 13 + 1) as u8).collect();
                let s_off = 300usize;
                let d_off = (300 + shift) as usize;
                let mut want = buf.clone();
                let tmp = buf[s_off..s_off + n].to_vec();
                want[d_off..d_off + n].copy_from_slice(&tmp);
                let p = buf.as_mut_ptr();
                // SAFETY: both ranges lie inside `buf` (300 ± 80 + 300 < 800).
                let r = unsafe { copy_overlapping(p.add(d_off), p.add(s_off), n) };
                assert_eq!(r, p.wrapping_add(d_off));
                assert!(buf == want, "n={n} shift={shift}");
            }
        }
    }
}
