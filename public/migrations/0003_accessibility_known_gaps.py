"""The accessibility statement names its known gaps, in English and Khmer.

The first wording (0002) said little about what does not work yet. This one
says what is checked (axe on a phone-sized and a desktop screen, in both
languages), and what is not right or not checked: the review packets (not PDF/A),
the files participants attach, what automatic checks cannot judge,
and screen readers in Khmer.

Staff may have edited the page since it was created: it is only rewritten when
it still has its first wording, with a history row like any edit, so running
this again, or after an edit, changes nothing.
"""

import importlib

from django.db import migrations
from django.utils import timezone

SLUG = "accessibility"

BODY_EN = """The portal is meant to be used by everyone, including people who use a screen reader, a keyboard only, a phone or a slow connection. We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA.

## What we do

- Every page works without JavaScript; the text of the law, the comments and the forms are plain HTML.
- Pages can be used with a keyboard alone, and a link at the top of each page skips to its content. Choosing a language in the list changes nothing until you press the "Switch" button.
- The interface is available in Khmer and in English, and each page says which language it is in. Numbers and dates follow the language of the page: Khmer pages use Khmer digits.
- Charts have a title and a description, and the same numbers are given in a table next to them.
- Every page people reach is checked automatically with the axe accessibility engine, on a phone-sized screen (390 × 844) and a desktop screen (1366 × 900), in both languages, before each release.

## Known gaps

- **Review packets.** The PDF packets for the National Assembly are tagged (their headings, reading order and the language of each passage are marked), and each line of Khmer carries its exact text for copying, searching and reading aloud, because the shaped letters alone do not give it back in order. They are not PDF/A documents yet. Each packet also carries its exact texts as attached files, and the same content is on the portal's web pages, which are the reference.
- **Files attached to comments** are published as participants sent them; we do not check them for accessibility. A scanned page is a picture without text, and some PDFs lose Khmer letters in their text layer, so search may not find every word in them.
- **What automatic checks cannot judge.** The axe engine finds only part of the problems. It cannot tell whether a text alternative, a link or a heading makes sense, whether the reading order is logical, or how a screen reader pronounces Khmer. People who use screen readers have not yet tested the portal, in Khmer or in English.
- **Screen readers and Khmer.** Few screen readers have a Khmer voice. Where there is none, Khmer text may be spelled out letter by letter or skipped.
- Comments are written by participants, and we cannot make sure that they are all clearly written.

## Report a problem

If something on the portal is hard or impossible for you to use, tell us through the contact page: which page, what you tried to do, and what assistive technology you use, if any. We answer within ten working days.
"""

BODY_KM = """វិបផតថលនេះត្រូវបានរៀបចំឡើង ដើម្បីឱ្យមនុស្សគ្រប់គ្នាអាចប្រើប្រាស់បាន រួមទាំងអ្នកដែលប្រើកម្មវិធីអានអេក្រង់ ប្រើតែក្តារចុច ប្រើទូរសព្ទ ឬមានការតភ្ជាប់អ៊ីនធឺណិតយឺត។ យើងមានគោលបំណងបំពេញតាមគោលការណ៍ណែនាំស្តីពីភាពងាយស្រួលប្រើប្រាស់ខ្លឹមសារគេហទំព័រ (WCAG) 2.1 កម្រិត AA។

## អ្វីដែលយើងធ្វើ

- គ្រប់ទំព័រអាចដំណើរការបាន ដោយមិនចាំបាច់មាន JavaScript។ អត្ថបទច្បាប់ មតិយោបល់ និងទម្រង់បំពេញ គឺជា HTML ធម្មតា។
- ទំព័រអាចប្រើបានដោយតែក្តារចុច ហើយតំណភ្ជាប់នៅខាងលើនៃទំព័រនីមួយៗ អនុញ្ញាតឱ្យរំលងទៅខ្លឹមសារ។ ការជ្រើសរើសភាសាក្នុងបញ្ជី មិនផ្លាស់ប្តូរអ្វីឡើយ រហូតដល់អ្នកចុចប៊ូតុង «ប្ដូរ»។
- ផ្ទៃប្រើប្រាស់មានជាភាសាខ្មែរ និងភាសាអង់គ្លេស ហើយទំព័រនីមួយៗបញ្ជាក់ពីភាសារបស់ខ្លួន។ លេខ និងកាលបរិច្ឆេទ សរសេរតាមភាសានៃទំព័រ៖ ទំព័រភាសាខ្មែរប្រើលេខខ្មែរ។
- តារាងក្រាហ្វិកមានចំណងជើង និងការពិពណ៌នា ហើយតួលេខដដែលត្រូវបានផ្តល់ជូនក្នុងតារាងនៅក្បែរនោះ។
- គ្រប់ទំព័រដែលអ្នកប្រើប្រាស់ចូលមើល ត្រូវបានត្រួតពិនិត្យដោយស្វ័យប្រវត្តិ ដោយប្រើកម្មវិធី axe លើអេក្រង់ទំហំទូរសព្ទ (៣៩០ × ៨៤៤) និងអេក្រង់កុំព្យូទ័រ (១៣៦៦ × ៩០០) ជាភាសាទាំងពីរ មុនពេលចេញផ្សាយនីមួយៗ។

## ចំណុចខ្វះខាតដែលបានដឹង

- **ឯកសារពិនិត្យ។** ឯកសារពិនិត្យជា PDF សម្រាប់រដ្ឋសភា មានស្លាករចនាសម្ព័ន្ធ (ចំណងជើង លំដាប់នៃការអាន និងភាសានៃអត្ថបទនីមួយៗ ត្រូវបានសម្គាល់) ហើយបន្ទាត់អត្ថបទភាសាខ្មែរនីមួយៗ មានភ្ជាប់អត្ថបទពិតប្រាកដរបស់វា សម្រាប់ការចម្លង ការស្វែងរក និងការអានឮៗ ព្រោះតួអក្សរដែលបានផ្គុំរួចតែឯងមិនអាចផ្តល់អត្ថបទនោះមកវិញតាមលំដាប់ត្រឹមត្រូវបានទេ។ ឯកសារទាំងនេះមិនទាន់ជាឯកសារ PDF/A នៅឡើយទេ។ ឯកសារពិនិត្យនីមួយៗ ក៏មានភ្ជាប់អត្ថបទពិតប្រាកដរបស់ខ្លួនជាឯកសារភ្ជាប់ដែរ ហើយខ្លឹមសារដដែលមាននៅលើទំព័រគេហទំព័ររបស់វិបផតថល ដែលជាឯកសារយោង។
- **ឯកសារភ្ជាប់ជាមួយមតិយោបល់** ត្រូវបានផ្សព្វផ្សាយដូចដែលអ្នកចូលរួមបានផ្ញើមក។ យើងមិនត្រួតពិនិត្យភាពងាយស្រួលប្រើប្រាស់របស់ឯកសារទាំងនោះទេ។ ទំព័រដែលបានស្កេន គឺជារូបភាពដែលគ្មានអត្ថបទ ហើយឯកសារ PDF ខ្លះបាត់អក្សរខ្មែរក្នុងស្រទាប់អត្ថបទរបស់វា ដូច្នេះការស្វែងរកអាចរកមិនឃើញពាក្យទាំងអស់នៅក្នុងឯកសារទាំងនោះ។
- **អ្វីដែលការត្រួតពិនិត្យស្វ័យប្រវត្តិមិនអាចវិនិច្ឆ័យបាន។** កម្មវិធី axe រកឃើញតែផ្នែកមួយនៃបញ្ហាប៉ុណ្ណោះ។ វាមិនអាចដឹងថា អត្ថបទជំនួសរូបភាព តំណភ្ជាប់ ឬចំណងជើងណាមួយ មានន័យសមរម្យឬទេ លំដាប់នៃការអានសមហេតុផលឬទេ ឬកម្មវិធីអានអេក្រង់បញ្ចេញសំឡេងភាសាខ្មែរយ៉ាងដូចម្តេចនោះទេ។ អ្នកដែលប្រើកម្មវិធីអានអេក្រង់ មិនទាន់បានសាកល្បងវិបផតថលនេះនៅឡើយទេ ទាំងជាភាសាខ្មែរ និងភាសាអង់គ្លេស។
- **កម្មវិធីអានអេក្រង់ និងភាសាខ្មែរ។** មានកម្មវិធីអានអេក្រង់តិចតួចប៉ុណ្ណោះ ដែលមានសំឡេងភាសាខ្មែរ។ នៅលើកម្មវិធីដែលគ្មានសំឡេងនេះ អត្ថបទខ្មែរអាចត្រូវបានអានប្រកបម្តងមួយតួអក្សរ ឬត្រូវបានរំលង។
- មតិយោបល់ត្រូវបានសរសេរដោយអ្នកចូលរួម ហើយយើងមិនអាចធានាថា មតិយោបល់ទាំងអស់ត្រូវបានសរសេរយ៉ាងច្បាស់លាស់នោះទេ។

## រាយការណ៍បញ្ហា

ប្រសិនបើផ្នែកណាមួយនៃវិបផតថលពិបាក ឬមិនអាចប្រើប្រាស់បានសម្រាប់អ្នក សូមជូនដំណឹងមកយើងតាមរយៈទំព័រទំនាក់ទំនង៖ ទំព័រណា អ្វីដែលអ្នកបានព្យាយាមធ្វើ និងបច្ចេកវិទ្យាជំនួយដែលអ្នកប្រើ (ប្រសិនបើមាន)។ យើងនឹងឆ្លើយតបក្នុងរយៈពេលដប់ថ្ងៃធ្វើការ។
"""


def first_wording() -> dict:
    seed = importlib.import_module("public.migrations.0002_seed_pages")
    return next(page for page in seed.PAGES if page["slug"] == SLUG)


def revise(Page, HistoricalPage=None) -> bool:
    """Give the statement this wording if it still has its first; True when it was rewritten.

    Also called by the tests' page seeding (a transactional test empties the table).
    """
    first = first_wording()
    page = Page.objects.filter(
        slug=SLUG, body_en=first["body_en"], body_km=first["body_km"]
    ).first()
    if page is None:
        return False
    page.body_en = BODY_EN
    page.body_km = BODY_KM
    page.revision += 1
    page.save()
    if HistoricalPage is not None:
        # A migration's models write no history of their own: record this wording as an edit.
        fields = {
            field.attname: getattr(page, field.attname)
            for field in Page._meta.concrete_fields
        }
        HistoricalPage.objects.create(
            **fields,
            history_date=timezone.now(),
            history_type="~",
            history_change_reason="The accessibility statement names its known gaps",
        )
    return True


def forward(apps, schema_editor):
    revise(apps.get_model("public", "Page"), apps.get_model("public", "HistoricalPage"))


class Migration(migrations.Migration):
    dependencies = [("public", "0002_seed_pages")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
