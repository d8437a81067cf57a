/* The loop of a counting pass over float64 scores (reference_impl.metrics.counts).

   tally(values, table, route, out, shift): for each value, bin = its raw bits >> shift;
   table[bin] += 1 (the root's counts), and where route[bin] is set, the value is copied
   to `out` (the scores of the bins a pass refines); it returns how many were copied.

   It is the whole cost of a pass: numpy needs four sweeps over the scores for it, its
   indexed increment (ufunc.at) holding the GIL.  Here it is one sweep, with the GIL
   released, so the threads of a pass count at once.  What the bins mean (signs, -0.0,
   NaN) stays in Python; this loop only moves bits. */

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

/* The buffer of `object`, or none (buffer->buf NULL) when it is None. */
static int optional_buffer(PyObject *object, Py_buffer *buffer, int flags)
{
    buffer->buf = NULL;
    return object == Py_None || PyObject_GetBuffer(object, buffer, flags) == 0;
}

static void release(Py_buffer *buffer)
{
    if (buffer->buf != NULL)
        PyBuffer_Release(buffer);
}

static PyObject *tally(PyObject *self, PyObject *args)
{
    Py_buffer values, table, route, out;
    PyObject *table_object, *route_object, *out_object;
    int shift;
    if (!PyArg_ParseTuple(args, "y*OOOi", &values, &table_object, &route_object, &out_object,
                          &shift))
        return NULL;
    PyObject *result = NULL;
    table.buf = route.buf = out.buf = NULL;
    if (!optional_buffer(table_object, &table, PyBUF_WRITABLE)
        || !optional_buffer(route_object, &route, PyBUF_SIMPLE)
        || !optional_buffer(out_object, &out, PyBUF_WRITABLE))
        goto done;
    Py_ssize_t n = values.len / 8, entries = (Py_ssize_t)1 << (64 - shift);
    if (values.len % 8 != 0 || shift < 1 || shift > 63) {
        PyErr_SetString(PyExc_ValueError, "values: expected float64 and a shift of 1 to 63");
    } else if ((table.buf && table.len != 8 * entries) || (route.buf && route.len != entries)) {
        PyErr_Format(PyExc_ValueError, "table and route: expected %zd entries", entries);
    } else if (route.buf && (!out.buf || out.len < values.len)) {
        PyErr_SetString(PyExc_ValueError, "out: expected room for every value");
    } else {
        const char *buffer = values.buf;
        int64_t *counts = table.buf;
        const unsigned char *routed = route.buf;
        char *target = out.buf;
        Py_ssize_t picked = 0;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            uint64_t bin = bits_at(buffer, i) >> shift;
            if (counts)
                counts[bin] += 1;
            if (routed && routed[bin]) {
                memcpy(target + 8 * picked, buffer + 8 * i, 8);
                picked++;
            }
        }
        Py_END_ALLOW_THREADS
        result = PyLong_FromSsize_t(picked);
    }
done:
    PyBuffer_Release(&values);
    release(&table);
    release(&route);
    release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"tally", tally, METH_VARARGS,
     "tally(values, table, route, out, shift) -> n: for each float64 value, with bin its "
     "raw bits >> shift, table[bin] += 1 (unless table is None) and, where route[bin] is "
     "set (unless route is None), the value copied to out, in order; n values copied"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_bins", "The loops of a counting pass (counts.Pass).", -1, methods,
};

PyMODINIT_FUNC PyInit__bins(void)
{
    return PyModule_Create(&module);
}
