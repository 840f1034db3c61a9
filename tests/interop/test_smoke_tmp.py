import pytest
from interop import akn, word, services
from interop.selectors import exportable_version
from tests.interop.conftest import provision_tree

def test_smoke(consultation, demo_version):
    c = consultation
    v = exportable_version(user=c.drafter, slug="it-crimes-demo", number=1)
    en = akn.version_document(v, v.provisions_live, "en")
    km = akn.version_document(v, v.provisions_live, "km")
    open("/tmp/akn_en.xml","wb").write(en)
    open("/tmp/akn_km.xml","wb").write(km)
    d = word.version_docx(v, v.provisions_live)
    open("/tmp/v.docx","wb").write(d)
    up = services.import_upload(by=c.drafter, filename="x.docx", data=d, draft=v.draft)
    print(up.parsed["problems"][:5])
    new = services.import_apply(upload=up, by=c.drafter)
    a, b = provision_tree(v), provision_tree(new)
    for x, y in zip(a, b):
        if x != y: print("DIFF", x, y); break
    assert a == b

def test_smoke_akn(consultation, demo_version):
    import io, zipfile
    c = consultation
    v = exportable_version(user=c.drafter, slug="it-crimes-demo", number=1)
    en = akn.version_document(v, v.provisions_live, "en")
    km = akn.version_document(v, v.provisions_live, "km")
    from lxml import etree
    for doc in (en, km):
        assert akn.schema().validate(etree.fromstring(doc)), akn.schema().error_log
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("en.xml", en); z.writestr("km.xml", km)
    up = services.import_upload(by=c.drafter, filename="x.zip", data=buf.getvalue(), draft=v.draft)
    print(up.parsed["problems"][:5])
    new = services.import_apply(upload=up, by=c.drafter)
    a, b = provision_tree(v), provision_tree(new)
    for x, y in zip(a, b):
        if x != y: print("DIFF", x, y); break
    assert a == b
