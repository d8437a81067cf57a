/* The two loops of a counting pass over float64 scores (reference_impl.metrics.counts).

   count(values, table, shift): table[bits >> shift] += 1 for the raw bits of each value;
   pick(values, route, out, shift): copy to `out`, in order, each value whose
   route[bits >> shift] is not zero, and return how many were copied.

   They are the whole cost of a pass: numpy does each in two or three sweeps over the
   scores, the indexed increment (ufunc.at) holding the GIL.  Here each is one sweep,
   with the GIL released, so the threads of a pass count at once.  Which bins mean what
   (signs, -0.0, NaN) stays in Python; these loops only move bits. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* The raw bits of value i; memcpy, so a buffer need not be 8-byte aligned. */
static inline uint64_t bits_at(const char *buffer, Py_ssize_t i)
{
    uint64_t bits;
    memcpy(&bits, buffer + 8 * i, 8);
    return bits;
}

/* Whether every index `bits >> shift` lies inside a table of `entries` entries. */
static int check(Py_buffer *values, Py_ssize_t entries, Py_ssize_t entry_size, int shift)
{
    if (values->len % 8 != 0) {
        PyErr_SetString(PyExc_ValueError, "values: expected a buffer of float64");
        return 0;
    }
    if (shift < 1 || shift > 63 || entries < ((Py_ssize_t)1 << (64 - shift))) {
        PyErr_Format(PyExc_ValueError, "a table of %zd entries of %zd bytes does not hold "
                     "every index of a shift by %d", entries, entry_size, shift);
        return 0;
    }
    return 1;
}

static PyObject *count(PyObject *self, PyObject *args)
{
    Py_buffer values, table;
    int shift;
    if (!PyArg_ParseTuple(args, "y*w*i", &values, &table, &shift))
        return NULL;
    PyObject *result = NULL;
    if (table.len % 8 == 0 && check(&values, table.len / 8, 8, shift)) {
        const char *buffer = values.buf;
        int64_t *counts = table.buf;
        Py_ssize_t n = values.len / 8;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++)
            counts[bits_at(buffer, i) >> shift] += 1;
        Py_END_ALLOW_THREADS
        result = Py_NewRef(Py_None);
    } else if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "table: expected a buffer of int64");
    }
    PyBuffer_Release(&values);
    PyBuffer_Release(&table);
    return result;
}

static PyObject *pick(PyObject *self, PyObject *args)
{
    Py_buffer values, route, out;
    int shift;
    if (!PyArg_ParseTuple(args, "y*y*w*i", &values, &route, &out, &shift))
        return NULL;
    PyObject *result = NULL;
    if (out.len < values.len) {
        PyErr_SetString(PyExc_ValueError, "out: smaller than the values");
    } else if (check(&values, route.len, 1, shift)) {
        const char *buffer = values.buf;
        const unsigned char *routed = route.buf;
        char *target = out.buf;
        Py_ssize_t n = values.len / 8, kept = 0;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            if (routed[bits_at(buffer, i) >> shift]) {
                memcpy(target + 8 * kept, buffer + 8 * i, 8);
                kept++;
            }
        }
        Py_END_ALLOW_THREADS
        result = PyLong_FromSsize_t(kept);
    }
    PyBuffer_Release(&values);
    PyBuffer_Release(&route);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"count", count, METH_VARARGS,
     "count(values, table, shift): table[bits >> shift] += 1 for each float64 value"},
    {"pick", pick, METH_VARARGS,
     "pick(values, route, out, shift) -> n: the values whose route[bits >> shift] is set, "
     "copied in order to out"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_bins", "The loops of a counting pass (counts.Pass).", -1, methods,
};

PyMODINIT_FUNC PyInit__bins(void)
{
    return PyModule_Create(&module);
}
