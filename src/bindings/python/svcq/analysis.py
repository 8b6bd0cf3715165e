"""Root-cause analyses: fishbone and 5-Why trees as one model, evidence, root
causes, the cause report and pictures (svcq/analysis.h)."""

from ctypes import byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

from . import _lib
from ._lib import HANDLE, P, proto

F = {}
for _n, _r, _a in [
    ('new', c_int, (P(HANDLE), HANDLE, c_char_p, c_char_p, c_int32)),
    ('free', None, (HANDLE,)),
    ('id', c_char_p, (HANDLE,)),
    ('revision', c_uint64, (HANDLE,)),
    ('template_of', c_int32, (HANDLE,)),
    ('incident', c_char_p, (HANDLE,)),
    ('set_incident', c_int, (HANDLE, c_char_p)),
    ('why_depth', c_uint32, (HANDLE,)),
    ('set_why_depth', c_int, (HANDLE, c_uint32)),
    ('add', c_int, (P(c_char_p), HANDLE, c_char_p, c_int32, c_char_p)),
    ('move', c_int, (HANDLE, c_char_p, c_char_p, c_int32)),
    ('remove', c_int, (HANDLE, c_char_p)),
    ('set_text', c_int, (HANDLE, c_char_p, c_char_p)),
    ('set_status', c_int, (HANDLE, c_char_p, c_int32)),
    ('set_owner', c_int, (HANDLE, c_char_p, c_char_p)),
    ('set_weight', c_int, (HANDLE, c_char_p, c_int32)),
    ('add_evidence', c_int, (HANDLE, c_char_p, c_int32, c_char_p, c_char_p, c_char_p, c_int64)),
    ('remove_evidence', c_int, (HANDLE, c_char_p, c_uint32)),
    ('set_root_cause', c_int, (HANDLE, c_char_p, c_int32)),
    ('node_count', c_size_t, (HANDLE,)),
    ('node_at', c_char_p, (HANDLE, c_size_t)),
    ('node_kind_of', c_int32, (HANDLE, c_char_p)),
    ('node_text', c_char_p, (HANDLE, c_char_p)),
    ('node_parent', c_char_p, (HANDLE, c_char_p)),
    ('node_status', c_int32, (HANDLE, c_char_p)),
    ('node_owner', c_char_p, (HANDLE, c_char_p)),
    ('node_weight', c_int32, (HANDLE, c_char_p)),
    ('node_is_root_cause', c_int32, (HANDLE, c_char_p)),
    ('node_why_level', c_uint32, (HANDLE, c_char_p)),
    ('node_child_count', c_size_t, (HANDLE, c_char_p)),
    ('node_child', c_char_p, (HANDLE, c_char_p, c_size_t)),
    ('evidence_count', c_size_t, (HANDLE, c_char_p)),
    ('evidence_kind_of', c_int32, (HANDLE, c_char_p, c_size_t)),
    ('evidence_uri', c_char_p, (HANDLE, c_char_p, c_size_t)),
    ('evidence_note', c_char_p, (HANDLE, c_char_p, c_size_t)),
    ('evidence_collected_by', c_char_p, (HANDLE, c_char_p, c_size_t)),
    ('evidence_collected_at', c_int64, (HANDLE, c_char_p, c_size_t)),
    ('root_cause_count', c_size_t, (HANDLE,)),
    ('root_cause', c_char_p, (HANDLE, c_size_t)),
    ('why_tree_count', c_size_t, (HANDLE,)),
    ('why_tree', c_char_p, (HANDLE, c_size_t)),
    ('short_branch_count', c_size_t, (HANDLE,)),
    ('short_branch', c_char_p, (HANDLE, c_size_t, P(c_uint32))),
    ('export_json', c_int, (HANDLE, c_void_p, c_uint32)),
    ('import_json', c_int, (P(HANDLE), HANDLE, c_char_p, c_size_t)),
    ('save', c_int, (HANDLE,)),
    ('load', c_int, (P(HANDLE), HANDLE, c_char_p)),
    ('delete', c_int, (HANDLE,)),
    ('export_report', c_int, (HANDLE, c_void_p, HANDLE)),
    ('export_mermaid', c_int, (HANDLE, c_void_p, c_char_p)),
    ('export_dot', c_int, (HANDLE, c_void_p, c_char_p)),
    ('export_svg', c_int, (HANDLE, c_void_p, c_char_p)),
]:
    F[_n] = proto('svcq_analysis_' + _n, _r, *_a)
_template_category = proto('svcq_analysis_template_category', c_char_p, c_int32, c_uint32)

Template = _lib.enum_from_getter('Template', 'svcq_analysis_template_name')
NodeKind = _lib.enum_from_getter('NodeKind', 'svcq_analysis_node_kind_name')
Status = _lib.enum_from_getter('Status', 'svcq_analysis_status_name')
EvidenceKind = _lib.enum_from_getter('EvidenceKind', 'svcq_analysis_evidence_kind_name')


def template_categories(template):
    """The category names a template starts with (the 6M: man, machine, ...)."""
    t = _lib.enum_value(Template, template)
    out, i = [], 0
    while True:
        s = _template_category(t, i)
        if not s:
            return out
        out.append(s.decode())
        i += 1


class Analysis(_lib.Handle):
    """A root-cause analysis: effect, categories, causes and branching whys.

    Node ids ('e', 'k1', 'c3', 'w2') are strings; getters copy what they read.
    """
    _free_fn = staticmethod(F['free'])

    def __init__(self, ctx, id, effect, template=0, _ptr=None):
        if _ptr is None:
            out = HANDLE()
            _lib.call(ctx, F['new'], byref(out), ctx._p, _lib.enc(id), _lib.enc(effect),
                      _lib.enum_value(Template, template))
            _ptr = out.value
        super().__init__(ctx, _ptr)

    def _c(self, fn, *args):
        _lib.call(self._ctx, F[fn], self._p, *args)

    def _s(self, fn, *args):
        return _lib.dec(F[fn](self._p, *args))

    @property
    def id(self):
        return self._s('id')

    @property
    def revision(self):
        return F['revision'](self._p)

    @property
    def template(self):
        return _lib.enum_out(Template, F['template_of'](self._p))

    @property
    def incident(self):
        return self._s('incident')

    @incident.setter
    def incident(self, incident_id):
        self._c('set_incident', _lib.enc(incident_id))

    @property
    def why_depth(self):
        return F['why_depth'](self._p)

    @why_depth.setter
    def why_depth(self, depth):
        self._c('set_why_depth', depth)

    def add(self, parent, kind, text):
        """Adds a node under `parent` ('e' is the effect); returns its id."""
        out = c_char_p()
        _lib.call(self._ctx, F['add'], byref(out), self._p, _lib.enc(parent), _lib.enum_value(NodeKind, kind),
                  _lib.enc(text))
        return _lib.dec(out.value)

    def add_category(self, text):
        return self.add('e', NodeKind.CATEGORY, text)

    def add_cause(self, parent, text):
        return self.add(parent, NodeKind.CAUSE, text)

    def add_why(self, parent, text):
        return self.add(parent, NodeKind.WHY, text)

    def move(self, node, parent, position=-1):
        self._c('move', _lib.enc(node), _lib.enc(parent), position)

    def remove(self, node):
        self._c('remove', _lib.enc(node))

    def set_text(self, node, text):
        self._c('set_text', _lib.enc(node), _lib.enc(text))

    def set_status(self, node, status):
        self._c('set_status', _lib.enc(node), _lib.enum_value(Status, status))

    def set_owner(self, node, owner):
        self._c('set_owner', _lib.enc(node), _lib.enc(owner))

    def set_weight(self, node, weight):
        self._c('set_weight', _lib.enc(node), weight)

    def add_evidence(self, node, kind, uri, note=None, collected_by=None, collected_at=None):
        self._c('add_evidence', _lib.enc(node), _lib.enum_value(EvidenceKind, kind), _lib.enc(uri), _lib.enc(note),
                _lib.enc(collected_by), _lib.to_time(collected_at, 'collected_at') if collected_at else 0)

    def remove_evidence(self, node, index):
        self._c('remove_evidence', _lib.enc(node), index)

    def set_root_cause(self, node, marked=True):
        self._c('set_root_cause', _lib.enc(node), 1 if marked else 0)

    # -- reading
    def nodes(self):
        return [self._s('node_at', i) for i in range(F['node_count'](self._p))]

    def node(self, node_id):
        """Everything about one node, as a dict (KeyError for an unknown id)."""
        n = _lib.enc(node_id)
        kind = F['node_kind_of'](self._p, n)
        if kind <= 0:
            raise KeyError('analysis %s has no node %r' % (self.id, node_id))
        ev = []
        for i in range(F['evidence_count'](self._p, n)):
            ev.append(dict(kind=_lib.enum_out(EvidenceKind, F['evidence_kind_of'](self._p, n, i)),
                           uri=self._s('evidence_uri', n, i), note=self._s('evidence_note', n, i),
                           collected_by=self._s('evidence_collected_by', n, i),
                           collected_at=_lib.from_time(F['evidence_collected_at'](self._p, n, i))))
        return dict(id=node_id, kind=_lib.enum_out(NodeKind, kind), text=self._s('node_text', n),
                    parent=self._s('node_parent', n),
                    status=_lib.enum_out(Status, F['node_status'](self._p, n)), owner=self._s('node_owner', n),
                    weight=F['node_weight'](self._p, n), root_cause=bool(F['node_is_root_cause'](self._p, n)),
                    why_level=F['node_why_level'](self._p, n),
                    children=[self._s('node_child', n, i) for i in range(F['node_child_count'](self._p, n))],
                    evidence=ev)

    @property
    def root_causes(self):
        return [self._s('root_cause', i) for i in range(F['root_cause_count'](self._p))]

    @property
    def why_trees(self):
        return [self._s('why_tree', i) for i in range(F['why_tree_count'](self._p))]

    @property
    def short_branches(self):
        """[(why id, level)] of 5-Why branches that stop short of the depth."""
        out = []
        level = c_uint32()
        for i in range(F['short_branch_count'](self._p)):
            s = F['short_branch'](self._p, i, byref(level))
            out.append((_lib.dec(s), level.value))
        return out

    # -- documents and pictures
    def export_json(self, pretty=False, sink=None):
        flags = _lib.K('SVCQ_ANALYSIS_JSON_PRETTY') if pretty else 0
        return _lib.export(self._ctx, F['export_json'], self._p, flags, sink=sink, writer_pos=1)

    @classmethod
    def import_json(cls, ctx, text):
        data = _lib.enc(text)
        out = HANDLE()
        _lib.call(ctx, F['import_json'], byref(out), ctx._p, data, len(data))
        return cls(ctx, None, None, _ptr=out.value)

    def save(self):
        self._c('save')

    @classmethod
    def load(cls, ctx, id):
        out = HANDLE()
        _lib.call(ctx, F['load'], byref(out), ctx._p, _lib.enc(id))
        return cls(ctx, None, None, _ptr=out.value)

    def delete(self):
        self._c('delete')

    def export_report(self, tz=None, sink=None):
        """The cause report (Markdown), times in `tz` (a svcq.Tz; None: UTC)."""
        return _lib.export(self._ctx, F['export_report'], self._p, tz._p if tz is not None else None,
                           sink=sink, writer_pos=1)

    def export_mermaid(self, anchor=None, sink=None):
        return _lib.export(self._ctx, F['export_mermaid'], self._p, _lib.enc(anchor), sink=sink, writer_pos=1)

    def export_dot(self, anchor=None, sink=None):
        return _lib.export(self._ctx, F['export_dot'], self._p, _lib.enc(anchor), sink=sink, writer_pos=1)

    def export_svg(self, anchor=None, sink=None):
        return _lib.export(self._ctx, F['export_svg'], self._p, _lib.enc(anchor), sink=sink, writer_pos=1)
