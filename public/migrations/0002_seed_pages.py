"""The portal's own pages, with their first wording in English and Khmer.

Staff change them afterwards (the staff page or the admin); this only creates a
page that does not exist yet, so running it again never overwrites an edit.
"""

from django.db import migrations

PAGES = [
    {
        "slug": "about",
        "title_en": "About the consultation",
        "title_km": "អំពីការពិគ្រោះយោបល់",
        "summary_en": (
            "Why the Ministry of Interior consults the public on the draft Law on Information "
            "Technology Crimes, and how this portal keeps the record."
        ),
        "summary_km": (
            "ហេតុអ្វីក្រសួងមហាផ្ទៃពិគ្រោះយោបល់ជាសាធារណៈលើសេចក្តីព្រាងច្បាប់ស្តីពីបទល្មើសបច្ចេកវិទ្យាព័ត៌មាន "
            "និងរបៀបដែលវិបផតថលនេះរក្សាកំណត់ត្រា។"
        ),
        "body_en": """This portal is where draft laws are put to public consultation before they are sent to the National Assembly. The first consultation is on the draft **Law on Information Technology Crimes**, led by the Ministry of Interior.

## Why the draft is consulted on

A law on information technology crimes concerns everyone who uses a telephone or the internet: it defines offences, gives the authorities powers to investigate, and protects personal data. Ministries, the National Assembly, embassies, civil society, companies, academics and international organisations can read each version of the draft, article by article, in Khmer and in English, and say what they think before the text is settled.

## How a consultation works

- The ministry publishes a version of the draft and opens a consultation for a set period.
- Participants comment on articles, ask questions and propose new wording.
- The ministry answers every comment: accepted, partly accepted, rejected or noted, with its reasons.
- The ministry prepares the next version, shows what changed and which comments led to each change, and may open a new round.
- When a round closes, its report shows what was heard and what was done, and its public data can be downloaded.

## What is kept

Every comment, answer and change is kept with who made it and when. Nothing a participant writes is deleted: a comment withdrawn by its author or hidden by a moderator stays in the record, with the reason.
""",
        "body_km": """វិបផតថលនេះជាកន្លែងដែលសេចក្តីព្រាងច្បាប់ត្រូវបានដាក់ឱ្យពិគ្រោះយោបល់ជាសាធារណៈ មុននឹងបញ្ជូនទៅរដ្ឋសភា។ ការពិគ្រោះយោបល់លើកដំបូង គឺលើ **សេចក្តីព្រាងច្បាប់ស្តីពីបទល្មើសបច្ចេកវិទ្យាព័ត៌មាន** ដែលដឹកនាំដោយក្រសួងមហាផ្ទៃ។

## ហេតុអ្វីសេចក្តីព្រាងនេះត្រូវដាក់ឱ្យពិគ្រោះយោបល់

ច្បាប់ស្តីពីបទល្មើសបច្ចេកវិទ្យាព័ត៌មាន ពាក់ព័ន្ធនឹងមនុស្សគ្រប់រូបដែលប្រើទូរសព្ទ ឬអ៊ីនធឺណិត៖ ច្បាប់នេះកំណត់បទល្មើស ផ្តល់អំណាចដល់អាជ្ញាធរក្នុងការស៊ើបអង្កេត និងការពារទិន្នន័យផ្ទាល់ខ្លួន។ ក្រសួង រដ្ឋសភា ស្ថានទូត សង្គមស៊ីវិល ក្រុមហ៊ុន ស្ថាប័នសិក្សា និងអង្គការអន្តរជាតិ អាចអានកំណែនីមួយៗនៃសេចក្តីព្រាង តាមមាត្រានីមួយៗ ជាភាសាខ្មែរ និងភាសាអង់គ្លេស ហើយផ្តល់មតិយោបល់ មុនពេលអត្ថបទត្រូវបានសម្រេចជាស្ថាពរ។

## ដំណើរការនៃការពិគ្រោះយោបល់

- ក្រសួងផ្សព្វផ្សាយកំណែមួយនៃសេចក្តីព្រាង ហើយបើកការពិគ្រោះយោបល់ក្នុងរយៈពេលកំណត់មួយ។
- អ្នកចូលរួមផ្តល់មតិយោបល់លើមាត្រា សួរសំណួរ និងស្នើពាក្យពេចន៍ថ្មី។
- ក្រសួងឆ្លើយតបរាល់មតិយោបល់៖ ទទួលយក ទទួលយកមួយផ្នែក បដិសេធ ឬបានកត់សម្គាល់ ព្រមទាំងបញ្ជាក់មូលហេតុ។
- ក្រសួងរៀបចំកំណែបន្ទាប់ បង្ហាញអ្វីដែលបានផ្លាស់ប្តូរ និងមតិយោបល់ដែលនាំឱ្យមានការផ្លាស់ប្តូរនីមួយៗ ហើយអាចបើកជុំថ្មីមួយទៀត។
- នៅពេលជុំមួយបិទ របាយការណ៍នៃជុំនោះបង្ហាញអ្វីដែលយើងបានស្តាប់ឮ និងអ្វីដែលយើងបានធ្វើ ហើយទិន្នន័យសាធារណៈរបស់ជុំនោះអាចទាញយកបាន។

## អ្វីដែលត្រូវបានរក្សាទុក

រាល់មតិយោបល់ ចម្លើយ និងការផ្លាស់ប្តូរ ត្រូវបានរក្សាទុក ព្រមទាំងឈ្មោះអ្នកដែលបានធ្វើ និងពេលវេលាដែលបានធ្វើ។ គ្មានអ្វីដែលអ្នកចូលរួមបានសរសេរ ត្រូវបានលុបចោលឡើយ៖ មតិយោបល់ដែលម្ចាស់បានដកវិញ ឬដែលអ្នកសម្របសម្រួលបានលាក់ នៅតែស្ថិតក្នុងកំណត់ត្រា ព្រមទាំងមូលហេតុ។
""",
    },
    {
        "slug": "take-part",
        "title_en": "How to take part",
        "title_km": "របៀបចូលរួម",
        "summary_en": (
            "Who may comment, how organisations are verified, and how comments are used and published."
        ),
        "summary_km": (
            "អ្នកណាអាចផ្តល់មតិយោបល់ របៀបផ្ទៀងផ្ទាត់អង្គភាព និងរបៀបប្រើប្រាស់ និងផ្សព្វផ្សាយមតិយោបល់។"
        ),
        "body_en": """Anyone may read every published version of a draft, its public comments and the ministry's answers, without an account.

## Who may comment

Comments speak for an organisation: a ministry, the National Assembly, an embassy, a civil-society organisation, a company, an academic institution or an international organisation. To comment you need an account that is a member of such an organisation. An organisation's administrator grants memberships to its own people; the portal's staff set up each organisation and its first administrator.

## How organisations are verified

Before an organisation is marked as verified, the Ministry of Interior confirms who it is through its official channels (for example a letter on the organisation's letterhead or its registration). A verified organisation is shown as such beside its comments.

## How to comment

1. Sign in and open the version that is in consultation.
2. Choose an article, or select the words of an article you want to comment on.
3. Write a comment, ask a question or propose new wording for the article.
4. Choose who may read it: everyone (public), signed-in participants, or restricted (your organisation, the drafters, moderators and officials).

You may correct your comment for 30 minutes after posting it, and withdraw it while the consultation is open; the record keeps that you did. Other organisations may endorse your comment.

## How comments are used and published

- Drafters of the ministry read every comment and record a disposition on each: accepted, partly accepted, rejected or noted, with reasons.
- Accepted proposals are applied to the next version; each change shows the comments behind it.
- Public comments, the answers and the changes are published on the portal, in each round's report and in the open data. The names of individual people are not included in the open data.
- A review packet with the comments is sent to the National Assembly.
- Moderators may hide a comment that breaks the terms of participation; the author is told why.
""",
        "body_km": """មនុស្សគ្រប់គ្នាអាចអានកំណែដែលបានផ្សព្វផ្សាយទាំងអស់នៃសេចក្តីព្រាង មតិយោបល់សាធារណៈ និងចម្លើយរបស់ក្រសួង ដោយមិនចាំបាច់មានគណនី។

## អ្នកណាអាចផ្តល់មតិយោបល់

មតិយោបល់និយាយជំនួសអង្គភាពមួយ៖ ក្រសួង រដ្ឋសភា ស្ថានទូត អង្គការសង្គមស៊ីវិល ក្រុមហ៊ុន ស្ថាប័នសិក្សា ឬអង្គការអន្តរជាតិ។ ដើម្បីផ្តល់មតិយោបល់ អ្នកត្រូវមានគណនីដែលជាសមាជិកនៃអង្គភាពបែបនេះ។ អ្នកគ្រប់គ្រងរបស់អង្គភាពផ្តល់សមាជិកភាពដល់បុគ្គលិករបស់ខ្លួន ហើយបុគ្គលិកនៃវិបផតថលបង្កើតអង្គភាពនីមួយៗ និងអ្នកគ្រប់គ្រងដំបូងរបស់អង្គភាពនោះ។

## របៀបផ្ទៀងផ្ទាត់អង្គភាព

មុននឹងសម្គាល់អង្គភាពមួយថាបានផ្ទៀងផ្ទាត់ ក្រសួងមហាផ្ទៃបញ្ជាក់អត្តសញ្ញាណរបស់អង្គភាពនោះតាមរយៈបណ្តាញផ្លូវការ (ឧទាហរណ៍ លិខិតដែលមានក្បាលលិខិតរបស់អង្គភាព ឬលិខិតចុះបញ្ជីរបស់អង្គភាព)។ អង្គភាពដែលបានផ្ទៀងផ្ទាត់ ត្រូវបានបង្ហាញដូច្នោះ នៅក្បែរមតិយោបល់របស់ខ្លួន។

## របៀបផ្តល់មតិយោបល់

1. ចូលគណនី ហើយបើកកំណែដែលកំពុងពិគ្រោះយោបល់។
2. ជ្រើសរើសមាត្រាមួយ ឬជ្រើសរើសពាក្យនៃមាត្រាដែលអ្នកចង់ផ្តល់មតិយោបល់។
3. សរសេរមតិយោបល់ សួរសំណួរ ឬស្នើពាក្យពេចន៍ថ្មីសម្រាប់មាត្រានោះ។
4. ជ្រើសរើសអ្នកដែលអាចអានបាន៖ មនុស្សគ្រប់គ្នា (សាធារណៈ) អ្នកចូលរួមដែលបានចូលគណនី ឬមានកម្រិត (អង្គភាពរបស់អ្នក អ្នកតាក់តែង អ្នកសម្របសម្រួល និងមន្ត្រី)។

អ្នកអាចកែតម្រូវមតិយោបល់របស់អ្នកបានក្នុងរយៈពេល ៣០ នាទី បន្ទាប់ពីបានបញ្ចូល ហើយអាចដកវិញបាន ខណៈពេលដែលការពិគ្រោះយោបល់នៅបើក។ កំណត់ត្រារក្សាទុកនូវការដកវិញនោះ។ អង្គភាពផ្សេងទៀតអាចគាំទ្រមតិយោបល់របស់អ្នក។

## របៀបប្រើប្រាស់ និងផ្សព្វផ្សាយមតិយោបល់

- អ្នកតាក់តែងរបស់ក្រសួងអានរាល់មតិយោបល់ ហើយកត់ត្រាការសម្រេចលើមតិយោបល់នីមួយៗ៖ ទទួលយក ទទួលយកមួយផ្នែក បដិសេធ ឬបានកត់សម្គាល់ ព្រមទាំងមូលហេតុ។
- សំណើដែលត្រូវបានទទួលយក ត្រូវបានបញ្ចូលទៅក្នុងកំណែបន្ទាប់ ហើយការផ្លាស់ប្តូរនីមួយៗបង្ហាញមតិយោបល់ដែលនាំឱ្យមានការផ្លាស់ប្តូរនោះ។
- មតិយោបល់សាធារណៈ ចម្លើយ និងការផ្លាស់ប្តូរ ត្រូវបានផ្សព្វផ្សាយនៅលើវិបផតថល ក្នុងរបាយការណ៍នៃជុំនីមួយៗ និងក្នុងទិន្នន័យបើកចំហ។ ឈ្មោះរបស់បុគ្គលម្នាក់ៗ មិនត្រូវបានដាក់បញ្ចូលក្នុងទិន្នន័យបើកចំហឡើយ។
- ឯកសារពិនិត្យដែលមានមតិយោបល់ ត្រូវបានបញ្ជូនទៅរដ្ឋសភា។
- អ្នកសម្របសម្រួលអាចលាក់មតិយោបល់ដែលរំលោភលក្ខខណ្ឌនៃការចូលរួម ហើយម្ចាស់មតិយោបល់ត្រូវបានជូនដំណឹងអំពីមូលហេតុ។
""",
    },
    {
        "slug": "accessibility",
        "title_en": "Accessibility statement",
        "title_km": "សេចក្តីថ្លែងការណ៍ស្តីពីភាពងាយស្រួលប្រើប្រាស់",
        "summary_en": (
            "How this portal aims to be usable by everyone, what we test, and how to report a problem."
        ),
        "summary_km": (
            "របៀបដែលវិបផតថលនេះមានគោលបំណងឱ្យមនុស្សគ្រប់គ្នាអាចប្រើប្រាស់បាន អ្វីដែលយើងធ្វើតេស្ត "
            "និងរបៀបរាយការណ៍បញ្ហា។"
        ),
        "body_en": """The portal is meant to be used by everyone, including people who use a screen reader, a keyboard only, a phone or a slow connection. We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA.

## What we do

- Every page works without JavaScript; the text of the law, the comments and the forms are plain HTML.
- Pages can be used with a keyboard alone, and a link at the top of each page skips to its content.
- The interface is available in Khmer and in English, and each page says which language it is in.
- Charts have a title and a description, and the same numbers are given in a table next to them.
- Every page is checked automatically with the axe accessibility engine, in both languages, before each release.

## Known limits

- Review packets are PDF documents meant for printing; the same content is available as web pages.
- Comments are written by participants, and we cannot make sure that they are all clearly written.

## Report a problem

If something on the portal is hard or impossible for you to use, tell us through the contact page: which page, what you tried to do, and what assistive technology you use, if any. We answer within ten working days.
""",
        "body_km": """វិបផតថលនេះត្រូវបានរៀបចំឡើង ដើម្បីឱ្យមនុស្សគ្រប់គ្នាអាចប្រើប្រាស់បាន រួមទាំងអ្នកដែលប្រើកម្មវិធីអានអេក្រង់ ប្រើតែក្តារចុច ប្រើទូរសព្ទ ឬមានការតភ្ជាប់អ៊ីនធឺណិតយឺត។ យើងមានគោលបំណងបំពេញតាមគោលការណ៍ណែនាំស្តីពីភាពងាយស្រួលប្រើប្រាស់ខ្លឹមសារគេហទំព័រ (WCAG) 2.1 កម្រិត AA។

## អ្វីដែលយើងធ្វើ

- គ្រប់ទំព័រអាចដំណើរការបាន ដោយមិនចាំបាច់មាន JavaScript។ អត្ថបទច្បាប់ មតិយោបល់ និងទម្រង់បំពេញ គឺជា HTML ធម្មតា។
- ទំព័រអាចប្រើបានដោយតែក្តារចុច ហើយតំណភ្ជាប់នៅខាងលើនៃទំព័រនីមួយៗ អនុញ្ញាតឱ្យរំលងទៅខ្លឹមសារ។
- ផ្ទៃប្រើប្រាស់មានជាភាសាខ្មែរ និងភាសាអង់គ្លេស ហើយទំព័រនីមួយៗបញ្ជាក់ពីភាសារបស់ខ្លួន។
- តារាងក្រាហ្វិកមានចំណងជើង និងការពិពណ៌នា ហើយតួលេខដដែលត្រូវបានផ្តល់ជូនក្នុងតារាងនៅក្បែរនោះ។
- គ្រប់ទំព័រត្រូវបានត្រួតពិនិត្យដោយស្វ័យប្រវត្តិ ដោយប្រើកម្មវិធី axe ជាភាសាទាំងពីរ មុនពេលចេញផ្សាយនីមួយៗ។

## ដែនកំណត់ដែលបានដឹង

- ឯកសារពិនិត្យ គឺជាឯកសារ PDF សម្រាប់បោះពុម្ព។ ខ្លឹមសារដដែលមានជាទំព័រគេហទំព័រផងដែរ។
- មតិយោបល់ត្រូវបានសរសេរដោយអ្នកចូលរួម ហើយយើងមិនអាចធានាថា មតិយោបល់ទាំងអស់ត្រូវបានសរសេរយ៉ាងច្បាស់លាស់នោះទេ។

## រាយការណ៍បញ្ហា

ប្រសិនបើផ្នែកណាមួយនៃវិបផតថលពិបាក ឬមិនអាចប្រើប្រាស់បានសម្រាប់អ្នក សូមជូនដំណឹងមកយើងតាមរយៈទំព័រទំនាក់ទំនង៖ ទំព័រណា អ្វីដែលអ្នកបានព្យាយាមធ្វើ និងបច្ចេកវិទ្យាជំនួយដែលអ្នកប្រើ (ប្រសិនបើមាន)។ យើងនឹងឆ្លើយតបក្នុងរយៈពេលដប់ថ្ងៃធ្វើការ។
""",
    },
    {
        "slug": "privacy",
        "title_en": "Privacy notice",
        "title_km": "សេចក្តីជូនដំណឹងស្តីពីឯកជនភាព",
        "summary_en": (
            "What personal data the portal keeps, what it shows and to whom, for how long, and your rights."
        ),
        "summary_km": (
            "ទិន្នន័យផ្ទាល់ខ្លួនអ្វីខ្លះដែលវិបផតថលរក្សាទុក អ្វីដែលវាបង្ហាញ និងបង្ហាញដល់អ្នកណា "
            "រយៈពេលប៉ុន្មាន និងសិទ្ធិរបស់អ្នក។"
        ),
        "body_en": """The Ministry of Interior runs this portal and is responsible for the personal data it keeps. The draft law consulted on here has a chapter on the protection of personal data; the portal follows the same principles: it keeps only what the consultation needs, says what it shows to whom, and keeps the record of the law-making process.

## What we keep

- **Your account**: user name, the name you choose to display, e-mail address, preferred language, and a protected form of your password (never the password itself).
- **Your memberships**: the organisations you belong to, your role in each, and who granted it.
- **What you write**: comments, replies, proposed amendments, endorsements and reports, with their dates and every earlier wording.
- **Security records**: failed sign-in attempts with the network address they came from, used to stop password guessing.
- **Notifications**: what you follow and which e-mails were sent to you.

## What is shown, and to whom

- Your display name and organisation are shown with each comment you post, to the people who may read that comment: everyone for a public comment, signed-in participants for a participants-only comment, and your organisation, the drafters, moderators and officials for a restricted comment.
- Your e-mail address, memberships and security records are never shown publicly. Your organisation's administrator sees its members; the portal's staff see what they need to run the service.
- The open data and the feeds contain public comments attributed to organisations, not the names of individual people.
- Review packets for the National Assembly contain comments with their organisations.

## How long we keep it

Comments, answers and their history are part of the record of how the law was made, and are kept as long as that record is kept. A withdrawn comment stays in the record as withdrawn. Failed sign-in records and delivered notification e-mails are removed when they are no longer needed for security or for the service. An account can be closed on request; what was written under it stays in the record, attributed to its organisation.

## Your rights

You may ask to see the personal data we keep about you, to correct it, or to close your account, through the contact page. We answer within thirty days.
""",
        "body_km": """ក្រសួងមហាផ្ទៃដំណើរការវិបផតថលនេះ ហើយទទួលខុសត្រូវចំពោះទិន្នន័យផ្ទាល់ខ្លួនដែលវិបផតថលរក្សាទុក។ សេចក្តីព្រាងច្បាប់ដែលកំពុងពិគ្រោះយោបល់នៅទីនេះ មានជំពូកមួយស្តីពីការការពារទិន្នន័យផ្ទាល់ខ្លួន។ វិបផតថលអនុវត្តតាមគោលការណ៍ដូចគ្នា៖ រក្សាទុកតែអ្វីដែលការពិគ្រោះយោបល់ត្រូវការ បញ្ជាក់អ្វីដែលវាបង្ហាញដល់អ្នកណា និងរក្សាកំណត់ត្រានៃដំណើរការតាក់តែងច្បាប់។

## អ្វីដែលយើងរក្សាទុក

- **គណនីរបស់អ្នក**៖ ឈ្មោះអ្នកប្រើ ឈ្មោះដែលអ្នកជ្រើសរើសសម្រាប់បង្ហាញ អាសយដ្ឋានអ៊ីមែល ភាសាដែលអ្នកចូលចិត្ត និងទម្រង់ការពារនៃពាក្យសម្ងាត់របស់អ្នក (មិនមែនពាក្យសម្ងាត់ផ្ទាល់ឡើយ)។
- **សមាជិកភាពរបស់អ្នក**៖ អង្គភាពដែលអ្នកជាសមាជិក តួនាទីរបស់អ្នកក្នុងអង្គភាពនីមួយៗ និងអ្នកដែលបានផ្តល់តួនាទីនោះ។
- **អ្វីដែលអ្នកសរសេរ**៖ មតិយោបល់ ការឆ្លើយតប វិសោធនកម្មដែលបានស្នើ ការគាំទ្រ និងរបាយការណ៍ ព្រមទាំងកាលបរិច្ឆេទ និងរាល់ពាក្យពេចន៍ពីមុន។
- **កំណត់ត្រាសុវត្ថិភាព**៖ ការព្យាយាមចូលគណនីដែលបរាជ័យ ព្រមទាំងអាសយដ្ឋានបណ្តាញដែលការព្យាយាមនោះបានមកពី ដែលប្រើដើម្បីទប់ស្កាត់ការទស្សន៍ទាយពាក្យសម្ងាត់។
- **ការជូនដំណឹង**៖ អ្វីដែលអ្នកតាមដាន និងអ៊ីមែលដែលបានផ្ញើជូនអ្នក។

## អ្វីដែលត្រូវបានបង្ហាញ និងបង្ហាញដល់អ្នកណា

- ឈ្មោះបង្ហាញ និងអង្គភាពរបស់អ្នក ត្រូវបានបង្ហាញជាមួយមតិយោបល់នីមួយៗដែលអ្នកបញ្ចូល ដល់អ្នកដែលអាចអានមតិយោបល់នោះ៖ មនុស្សគ្រប់គ្នាសម្រាប់មតិយោបល់សាធារណៈ អ្នកចូលរួមដែលបានចូលគណនីសម្រាប់មតិយោបល់សម្រាប់តែអ្នកចូលរួម និងអង្គភាពរបស់អ្នក អ្នកតាក់តែង អ្នកសម្របសម្រួល និងមន្ត្រី សម្រាប់មតិយោបល់មានកម្រិត។
- អាសយដ្ឋានអ៊ីមែល សមាជិកភាព និងកំណត់ត្រាសុវត្ថិភាពរបស់អ្នក មិនដែលត្រូវបានបង្ហាញជាសាធារណៈឡើយ។ អ្នកគ្រប់គ្រងនៃអង្គភាពរបស់អ្នកមើលឃើញសមាជិករបស់អង្គភាព ហើយបុគ្គលិកនៃវិបផតថលមើលឃើញអ្វីដែលពួកគេត្រូវការ ដើម្បីដំណើរការសេវា។
- ទិន្នន័យបើកចំហ និងព័ត៌មានថ្មីៗ (feed) មានមតិយោបល់សាធារណៈដែលភ្ជាប់ទៅនឹងអង្គភាព មិនមែនឈ្មោះរបស់បុគ្គលម្នាក់ៗឡើយ។
- ឯកសារពិនិត្យសម្រាប់រដ្ឋសភា មានមតិយោបល់ព្រមទាំងអង្គភាពរបស់មតិយោបល់ទាំងនោះ។

## រយៈពេលរក្សាទុក

មតិយោបល់ ចម្លើយ និងប្រវត្តិរបស់វា គឺជាផ្នែកនៃកំណត់ត្រាអំពីរបៀបដែលច្បាប់ត្រូវបានតាក់តែង ហើយត្រូវបានរក្សាទុកដរាបណាកំណត់ត្រានោះត្រូវបានរក្សាទុក។ មតិយោបល់ដែលបានដកវិញ នៅតែស្ថិតក្នុងកំណត់ត្រាថាបានដកវិញ។ កំណត់ត្រានៃការចូលគណនីដែលបរាជ័យ និងអ៊ីមែលជូនដំណឹងដែលបានផ្ញើរួច ត្រូវបានលុបចោល នៅពេលដែលលែងត្រូវការសម្រាប់សុវត្ថិភាព ឬសម្រាប់សេវា។ គណនីអាចត្រូវបានបិទតាមការស្នើសុំ។ អ្វីដែលបានសរសេរក្រោមគណនីនោះ នៅតែស្ថិតក្នុងកំណត់ត្រា ដោយភ្ជាប់ទៅនឹងអង្គភាពរបស់គណនីនោះ។

## សិទ្ធិរបស់អ្នក

អ្នកអាចស្នើសុំមើលទិន្នន័យផ្ទាល់ខ្លួនដែលយើងរក្សាទុកអំពីអ្នក កែតម្រូវទិន្នន័យនោះ ឬបិទគណនីរបស់អ្នក តាមរយៈទំព័រទំនាក់ទំនង។ យើងនឹងឆ្លើយតបក្នុងរយៈពេលសាមសិបថ្ងៃ។
""",
    },
    {
        "slug": "terms",
        "title_en": "Terms of participation",
        "title_km": "លក្ខខណ្ឌនៃការចូលរួម",
        "summary_en": "The rules every participant agrees to when commenting on a draft law.",
        "summary_km": "វិធានដែលអ្នកចូលរួមគ្រប់រូបយល់ព្រម នៅពេលផ្តល់មតិយោបល់លើសេចក្តីព្រាងច្បាប់។",
        "body_en": """By commenting on this portal you agree to these terms.

## Speak for your organisation

A comment is posted on behalf of the organisation you act for. Post only what your organisation may say, and do not let others use your account.

## Stay on the draft

Comments are about the draft law: its articles, their wording, their effects. Criticism of the draft and of the ministry's answers is welcome.

## What is not allowed

- insults, threats, harassment or incitement to hatred or violence;
- personal data of other people, such as telephone numbers or addresses;
- advertising, or the same text posted again and again;
- anything that pretends to come from another person or organisation.

## Moderation

Moderators of the ministry may hide a comment that breaks these terms. A hidden comment stays in its thread with the moderator's reason, its author is told, and the decision can be reviewed and reversed. Nothing is deleted.

## Use of your comments

Public comments, the ministry's answers and the changes they led to are published on the portal and in its open data under the Creative Commons Attribution 4.0 licence, and are sent to the National Assembly in review packets.
""",
        "body_km": """តាមរយៈការផ្តល់មតិយោបល់នៅលើវិបផតថលនេះ អ្នកយល់ព្រមតាមលក្ខខណ្ឌទាំងនេះ។

## និយាយជំនួសអង្គភាពរបស់អ្នក

មតិយោបល់ត្រូវបានបញ្ចូលក្នុងនាមអង្គភាពដែលអ្នកតំណាង។ សូមបញ្ចូលតែអ្វីដែលអង្គភាពរបស់អ្នកអាចនិយាយបាន ហើយកុំអនុញ្ញាតឱ្យអ្នកដទៃប្រើគណនីរបស់អ្នក។

## ផ្តោតលើសេចក្តីព្រាង

មតិយោបល់ត្រូវទាក់ទងនឹងសេចក្តីព្រាងច្បាប់៖ មាត្រា ពាក្យពេចន៍ និងផលប៉ះពាល់របស់វា។ ការរិះគន់សេចក្តីព្រាង និងចម្លើយរបស់ក្រសួង ត្រូវបានស្វាគមន៍។

## អ្វីដែលមិនត្រូវបានអនុញ្ញាត

- ការជេរប្រមាថ ការគំរាមកំហែង ការយាយី ឬការញុះញង់ឱ្យមានការស្អប់ខ្ពើម ឬអំពើហិង្សា។
- ទិន្នន័យផ្ទាល់ខ្លួនរបស់អ្នកដទៃ ដូចជាលេខទូរសព្ទ ឬអាសយដ្ឋាន។
- ការផ្សាយពាណិជ្ជកម្ម ឬអត្ថបទដដែលបញ្ចូលម្តងហើយម្តងទៀត។
- អ្វីដែលក្លែងធ្វើជាមកពីបុគ្គល ឬអង្គភាពផ្សេង។

## ការសម្របសម្រួល

អ្នកសម្របសម្រួលរបស់ក្រសួងអាចលាក់មតិយោបល់ដែលរំលោភលក្ខខណ្ឌទាំងនេះ។ មតិយោបល់ដែលត្រូវបានលាក់ នៅតែស្ថិតក្នុងខ្សែសន្ទនារបស់វា ព្រមទាំងមូលហេតុរបស់អ្នកសម្របសម្រួល ម្ចាស់មតិយោបល់ត្រូវបានជូនដំណឹង ហើយការសម្រេចនោះអាចត្រូវបានពិនិត្យឡើងវិញ និងលុបចោលវិញបាន។ គ្មានអ្វីត្រូវបានលុបចោលឡើយ។

## ការប្រើប្រាស់មតិយោបល់របស់អ្នក

មតិយោបល់សាធារណៈ ចម្លើយរបស់ក្រសួង និងការផ្លាស់ប្តូរដែលកើតចេញពីមតិយោបល់ទាំងនោះ ត្រូវបានផ្សព្វផ្សាយនៅលើវិបផតថល និងក្នុងទិន្នន័យបើកចំហរបស់វា ក្រោមអាជ្ញាប័ណ្ណ Creative Commons Attribution 4.0 ហើយត្រូវបានបញ្ជូនទៅរដ្ឋសភាក្នុងឯកសារពិនិត្យ។
""",
    },
    {
        "slug": "contact",
        "title_en": "Contact",
        "title_km": "ទំនាក់ទំនង",
        "summary_en": "How to reach the consultation team of the Ministry of Interior.",
        "summary_km": "របៀបទាក់ទងក្រុមការងារពិគ្រោះយោបល់នៃក្រសួងមហាផ្ទៃ។",
        "body_en": """## Questions about a draft law

Ask them on the portal itself: open the article and post a comment of the kind "question". The drafters answer questions in public, so that everyone can read the answer.

## Your account or your organisation

Ask your organisation's administrator to add you, change your role or end your membership. An organisation that wants to take part for the first time, or whose administrator has left, writes to the consultation team.

## Accessibility, personal data and everything else

Write to the consultation team:

Consultation Team, Ministry of Interior
Norodom Boulevard, Phnom Penh, Kingdom of Cambodia

Say which page or comment your message is about. We answer accessibility problems within ten working days and requests about personal data within thirty days.
""",
        "body_km": """## សំណួរអំពីសេចក្តីព្រាងច្បាប់

សូមសួរនៅលើវិបផតថលផ្ទាល់៖ បើកមាត្រា ហើយបញ្ចូលមតិយោបល់ប្រភេទ "សំណួរ"។ អ្នកតាក់តែងឆ្លើយសំណួរជាសាធារណៈ ដើម្បីឱ្យមនុស្សគ្រប់គ្នាអាចអានចម្លើយបាន។

## គណនី ឬអង្គភាពរបស់អ្នក

សូមស្នើអ្នកគ្រប់គ្រងនៃអង្គភាពរបស់អ្នក ឱ្យបន្ថែមអ្នក ផ្លាស់ប្តូរតួនាទីរបស់អ្នក ឬបញ្ចប់សមាជិកភាពរបស់អ្នក។ អង្គភាពដែលចង់ចូលរួមជាលើកដំបូង ឬដែលអ្នកគ្រប់គ្រងរបស់ខ្លួនបានចាកចេញ សូមសរសេរមកក្រុមការងារពិគ្រោះយោបល់។

## ភាពងាយស្រួលប្រើប្រាស់ ទិន្នន័យផ្ទាល់ខ្លួន និងបញ្ហាផ្សេងៗ

សូមសរសេរមកក្រុមការងារពិគ្រោះយោបល់៖

ក្រុមការងារពិគ្រោះយោបល់ ក្រសួងមហាផ្ទៃ
មហាវិថីព្រះនរោត្តម រាជធានីភ្នំពេញ ព្រះរាជាណាចក្រកម្ពុជា

សូមបញ្ជាក់ទំព័រ ឬមតិយោបល់ដែលសាររបស់អ្នកសំដៅទៅ។ យើងឆ្លើយតបបញ្ហាភាពងាយស្រួលប្រើប្រាស់ក្នុងរយៈពេលដប់ថ្ងៃធ្វើការ និងសំណើទាក់ទងនឹងទិន្នន័យផ្ទាល់ខ្លួនក្នុងរយៈពេលសាមសិបថ្ងៃ។
""",
    },
]


def create_pages(apps, schema_editor):
    Page = apps.get_model("public", "Page")
    for fields in PAGES:
        if not Page.objects.filter(slug=fields["slug"]).exists():
            Page.objects.create(**fields)


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
