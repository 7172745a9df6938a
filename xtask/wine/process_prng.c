/* bcryptprimitives.dll for a wine that has none (8.0 and older).
 *
 * Rust's std on Windows (1.78 and later) imports ProcessPrng from
 * bcryptprimitives.dll to seed its hash maps, so without the DLL no Rust
 * test binary starts (wine exits 53). RtlGenRandom, advapi32's
 * SystemFunction036, which every wine has, fills a buffer from the same
 * kind of source, at most 4 GiB - 1 bytes a call. The xtask (setup, and
 * test or bench on first use) builds this with the target's mingw gcc into
 * the wine prefix.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
