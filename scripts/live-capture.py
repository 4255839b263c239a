# gdb-Python: record a memory image of a live Xen's page tables for the unit tests (test/fixtures/live/).
#   gdb-multiarch -q -nx -batch -ex 'target remote 127.0.0.1:PORT' \
#     -ex 'python OUT="test/fixtures/live/armhf-running"; ARCH="armhf"' -x scripts/live-capture.py
# Reads the translation registers, switches QEMU's gdbstub to physical memory, then copies every table page
# reachable from Xen's root (HTTBR/TTBR0_EL2) and from the p2m root (VTTBR, its size from VTCR), entries with
# the valid bit clear but a table descriptor otherwise intact included (Xen's p2m_invalidate_root).
# Level-3 tables: at most L3 (default 2) per level-2 table, so a fixture stays a few dozen pages.
# Writes OUT.bin (4 KiB pages, back to back) and OUT.json (registers, the page index).
import gdb, json, struct

MAX_PAGES = int(globals().get("MAXP", 64))
L3_PER_TABLE = int(globals().get("L3", 2))

def reg(*names):
    for n in names:
        try:
            v = gdb.parse_and_eval('$' + n)
            return int(v) & ((1 << (8 * v.type.sizeof)) - 1), n
        except gdb.error:
            pass
    raise gdb.GdbError('none of the registers %s' % (names,))

arm64 = ARCH == 'arm64'
ttbr, ttbr_name = reg('TTBR0_EL2') if arm64 else reg('HTTBR')
vttbr, vttbr_name = reg('VTTBR_EL2') if arm64 else reg('VTTBR')
vtcr, vtcr_name = reg('VTCR_EL2') if arm64 else reg('VTCR')
tcr, tcr_name = reg('TCR_EL2')
hcr, hcr_name = reg('HCR_EL2') if arm64 else reg('HCR')
pc, _ = reg('pc')
gdb.execute('maint packet Qqemu.PhyMemMode:1', to_string=True)
inf = gdb.selected_inferior()
pages = {}

def page(pa):
    if pa not in pages:
        if len(pages) >= MAX_PAGES:
            raise gdb.GdbError('more than %d table pages' % MAX_PAGES)
        pages[pa] = bytes(inf.read_memory(pa, 4096))
    return pages[pa]

OA = 0xfffffffff000

def walk(pa, level, last):
    data = page(pa)
    if level >= last:
        return
    leaves = 0  # level-3 tables kept per level-2 table (a dom0 p2m has hundreds: the fixture stays small)
    for i in range(512):
        e = struct.unpack_from('<Q', data, i * 8)[0]
        # a table descriptor (bit 1 set), valid or invalidated with the rest intact
        if e != 0 and (e & 2) and (e & OA):
            if level + 1 == last:
                leaves += 1
                if leaves > L3_PER_TABLE:
                    continue
            walk(e & OA, level + 1, last)

# Xen stage 1: arm32 HTCR T0SZ=0 starts at level 1; arm64 Xen uses 4 levels from level 0
walk(ttbr & OA, 0 if arm64 else 1, 3)
# stage 2: start level from VTCR.SL0, root pages concatenated
if arm64:
    t0sz = vtcr & 0x3f
    sl0 = (vtcr >> 6) & 3
    start = {0: 2, 1: 1, 2: 0}[sl0]
else:
    t0sz = vtcr & 0xf
    t0sz = t0sz - 16 if t0sz & 8 else t0sz
    sl0 = (vtcr >> 6) & 3
    start = {0: 2, 1: 1}[sl0]
ipa_bits = (64 if arm64 else 32) - t0sz
shift = 39 - 9 * start
root_pages = max(1, (1 << (ipa_bits - shift)) // 512)
root = vttbr & OA
for k in range(root_pages):
    data = page(root + 4096 * k)
    for i in range(512):
        e = struct.unpack_from('<Q', data, i * 8)[0]
        if e != 0 and (e & 2) and (e & OA) and start < 2:
            walk(e & OA, start + 1, 3)
gdb.execute('maint packet Qqemu.PhyMemMode:0', to_string=True)

order = sorted(pages)
with open(OUT + '.bin', 'wb') as f:
    for pa in order:
        f.write(pages[pa])
meta = {
    'arch': ARCH,
    'note': 'captured by scripts/live-capture.py from Debian Xen 4.17 in QEMU (npm run live:target)',
    'registers': {
        ttbr_name: '0x%x' % ttbr,
        vttbr_name: '0x%x' % vttbr,
        vtcr_name: '0x%x' % vtcr,
        tcr_name: '0x%x' % tcr,
        hcr_name: '0x%x' % hcr,
        'pc': '0x%x' % pc,
    },
    'pages': ['0x%x' % pa for pa in order],
}
with open(OUT + '.json', 'w') as f:
    json.dump(meta, f, indent=2)
    f.write('\n')
print('captured %d pages to %s.bin' % (len(order), OUT))
