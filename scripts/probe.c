/*
 * QEMU TCG plugin: counts guest instructions executed between two marker addresses.
 *
 *   qemu-system-arm ... -plugin libprobe.so,start=0xADDR,stop=0xADDR
 *
 * Every executed instruction adds one to a counter (an inline add, no call). On entering
 * the instruction at `start` the counter is snapshot; on entering `stop` the difference is
 * printed to stderr as `tinygan-probe: N`, once per start/stop pair.
 * Built by scripts/firmware.sh with gcc. Debian's QEMU 7.2 ships no qemu-plugin.h, so the
 * few declarations of plugin API version 1 used here are written out below.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- QEMU plugin API, version 1 (QEMU 7.2 include/qemu/qemu-plugin.h) --- */
typedef uint64_t qemu_plugin_id_t;
typedef struct {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
/* --- end of the API declarations --- */

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

static uint64_t executed; /* instructions executed so far (single vCPU boards) */
static uint64_t started;  /* `executed` on entering the start marker */
static bool running;
static uint64_t start_addr, stop_addr;

static void on_start(unsigned int vcpu, void *udata) {
    (void)vcpu;
    (void)udata;
    started = executed;
    running = true;
}

static void on_stop(unsigned int vcpu, void *udata) {
    (void)vcpu;
    (void)udata;
    if (!running) {
        fputs("tinygan-probe: stop marker without start\n", stderr);
        return;
    }
    fprintf(stderr, "tinygan-probe: %" PRIu64 "\n", executed - started);
    running = false;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    for (size_t i = 0, n = qemu_plugin_tb_n_insns(tb); i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
        if (pc == start_addr)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (pc == stop_addr)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
}

static bool parse_addr(const char *arg, const char *key, uint64_t *out) {
    size_t k = strlen(key);
    if (strncmp(arg, key, k) != 0 || arg[k] != '=')
        return false;
    char *end;
    *out = strtoull(arg + k + 1, &end, 0);
    return *end == '\0';
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv) {
    (void)info;
    bool have_start = false, have_stop = false;
    for (int i = 0; i < argc; i++) {
        if (parse_addr(argv[i], "start", &start_addr))
            have_start = true;
        else if (parse_addr(argv[i], "stop", &stop_addr))
            have_stop = true;
        else {
            fprintf(stderr, "tinygan-probe: unknown argument '%s' (start=ADDR,stop=ADDR)\n", argv[i]);
            return -1;
        }
    }
    if (!have_start || !have_stop || start_addr == stop_addr) {
        fprintf(stderr, "tinygan-probe: need distinct start=ADDR and stop=ADDR\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    return 0;
}
