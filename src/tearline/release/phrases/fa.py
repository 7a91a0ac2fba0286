"""فارسی: the fixed text of every warning in Persian (right to left).

Persian spelling uses the zero-width non-joiner (U+200C) where the language needs it
("می‌کند"); the leak check ignores such invisible characters when it matches terms.
"""

from tearline.model import Harm, Method, TargetType
from tearline.release.phrases import Phrases, SmsPhrases

PHRASES = Phrases(
    code="fa",
    locale="fa",
    rtl=True,
    subject_warning="هشدار دربارهٔ تهدید جانی: {place}",
    subject_alert="هشدار امنیتی: {place}",
    subject_update="به‌روزرسانی: {subject}",
    subject_cancel="لغو: {subject}",
    subject_all_clear="رفع خطر: {subject}",
    lead=(
        "{sender} اطلاعاتی در اختیار دارد که از تهدیدی علیه جان افراد حکایت می‌کند. این "
        "اطلاعات را بر پایهٔ وظیفهٔ هشدار دادن به شما می‌رسانیم تا بتوانید از کسانی که در "
        "معرض خطرند محافظت کنید."
    ),
    lead_update="این هشدار، هشدار {ref} مورخ {date} را به‌روز می‌کند و جایگزین آن است.",
    lead_cancel="هشدار {ref} مورخ {date} لغو می‌شود؛ لطفاً آن را نادیده بگیرید.",
    lead_all_clear=(
        "تهدیدی که در هشدار {ref} مورخ {date} اعلام شده بود برطرف شده است و آن هشدار دیگر "
        "اعتبار ندارد."
    ),
    labels={
        "place": "مکان",
        "time": "زمان",
        "actor": "گروه",
        "method": "شیوه",
        "weapon": "سلاح‌های گزارش‌شده",
        "harm": "قصد",
        "targets": "اهداف",
        "named_targets": "اهداف احتمالی نام‌برده",
        "coordinates": "مختصات",
        "likelihood": "احتمال حمله (ارزیابی ما)",
        "actions_official": "اقدامات توصیه‌شده",
        "location": "مکان",
        "event": "رویداد",
        "actions_public": "اقدامات لازم",
        "valid": "مدت اعتبار",
        "reference": "شماره",
        "reply": "نحوهٔ پاسخ",
        "tlp": "نحوهٔ اشتراک‌گذاری",
    },
    named_group="گروه «{name}»",
    actor_generic="یک گروه افراطی",
    actor_unknown="نامشخص",
    place_unknown="نامشخص",
    time_vague="در روزهای آینده",
    between="از {start} تا {end} (به وقت هماهنگ جهانی)",
    on_day="در {date} (به وقت هماهنگ جهانی)",
    at_time="{start} تا {end} (به وقت هماهنگ جهانی)",
    coordinates="{latlon} (در شعاع {radius} کیلومتری)",
    methods={
        Method.ARMED_ASSAULT: "حملهٔ مسلحانه",
        Method.BOMBING: "بمب‌گذاری",
        Method.SUICIDE_BOMBING: "بمب‌گذاری انتحاری",
        Method.VEHICLE_RAMMING: "زیر گرفتن عمدی افراد با خودرو",
        Method.ARSON: "آتش‌افروزی عمدی",
        Method.KIDNAPPING: "آدم‌ربایی",
        Method.ASSASSINATION: "ترور",
        Method.HIJACKING: "ربودن هواپیما یا وسیلهٔ نقلیه",
        Method.STABBING: "حمله با چاقو",
        Method.CBRN: "حمله با مواد شیمیایی، زیستی، پرتوزا یا هسته‌ای",
        Method.ROBBERY: "سرقت مسلحانه",
        Method.FORCED_WORK_STOPPAGE: "اعتصاب مسلحانه‌ای که با تهدید تحمیل می‌شود",
        Method.UNKNOWN: "حمله (شیوهٔ آن معلوم نیست)",
    },
    harms={
        Harm.KILLING: "کشتن افراد",
        Harm.SERIOUS_BODILY_INJURY: "وارد کردن آسیب جسمی شدید",
        Harm.KIDNAPPING: "آدم‌ربایی",
        Harm.PROPERTY_DAMAGE: "آسیب رساندن به اموال",
    },
    targets={
        TargetType.MASS_GATHERING: "تجمعات بزرگ",
        TargetType.CONCERT: "کنسرت‌ها و سالن‌های کنسرت",
        TargetType.RELIGIOUS: "اماکن مذهبی و مراسم دینی",
        TargetType.TRANSPORT: "فرودگاه‌ها، ایستگاه‌ها و حمل‌ونقل عمومی",
        TargetType.GOVERNMENT: "ساختمان‌های دولتی",
        TargetType.DIPLOMATIC: "نمایندگی‌های دیپلماتیک",
        TargetType.MILITARY: "اماکن نظامی",
        TargetType.POLICE: "پلیس",
        TargetType.EDUCATION: "مدارس و دانشگاه‌ها",
        TargetType.BUSINESS: "هتل‌ها، مراکز خرید و رستوران‌ها",
        TargetType.INFRASTRUCTURE: "زیرساخت‌های حیاتی",
        TargetType.PERSON: "افراد مشخص",
        TargetType.CIVILIANS: "غیرنظامیان",
        TargetType.OTHER: "اهداف دیگر",
    },
    avoid={
        TargetType.MASS_GATHERING: "از تجمعات بزرگ و مکان‌های شلوغ دوری کنید.",
        TargetType.CONCERT: "از رفتن به کنسرت‌ها و سالن‌های کنسرت خودداری کنید.",
        TargetType.RELIGIOUS: "در اماکن مذهبی و مراسم دینی بسیار هوشیار باشید.",
        TargetType.TRANSPORT: ("در فرودگاه‌ها، ایستگاه‌ها و وسایل حمل‌ونقل عمومی بسیار هوشیار باشید."),
        TargetType.GOVERNMENT: "از اطراف ساختمان‌های دولتی دوری کنید.",
        TargetType.DIPLOMATIC: "از اطراف نمایندگی‌های دیپلماتیک دوری کنید.",
        TargetType.MILITARY: "از اماکن نظامی دوری کنید.",
        TargetType.POLICE: "از کلانتری‌ها و ایست‌های بازرسی فاصله بگیرید.",
        TargetType.EDUCATION: "در مدارس و دانشگاه‌ها بسیار هوشیار باشید.",
        TargetType.BUSINESS: "در هتل‌ها، مراکز خرید و رستوران‌ها بسیار هوشیار باشید.",
        TargetType.INFRASTRUCTURE: "برای احتمال اختلال در خدمات ضروری آماده باشید.",
        TargetType.PERSON: "هر گونه تعقیب یا نزدیک شدن مشکوک را به پلیس گزارش دهید.",
        TargetType.CIVILIANS: "از مکان‌های شلوغ دوری کنید.",
        TargetType.OTHER: "اشیا یا رفتارهای مشکوک را به پلیس گزارش دهید.",
    },
    likelihood={
        "almost no chance": "تقریباً صفر",
        "very unlikely": "بسیار کم",
        "unlikely": "کم",
        "roughly even chance": "متوسط",
        "likely": "زیاد",
        "very likely": "بسیار زیاد",
        "almost certain": "تقریباً قطعی",
    },
    likelihood_value="{term} ({low}–{high} %)",
    official_actions=(
        "تدابیر حفاظتی را در اهداف یادشده، در مکان و زمان ذکرشده، تشدید کنید.",
        "این هشدار را بی‌درنگ به نهادهایی که مسئول حفاظت از این مکان‌ها و افرادند برسانید.",
        "ما را از اقداماتی که انجام می‌دهید آگاه کنید و اگر به اطلاعات بیشتری نیاز دارید، "
        "درخواست کنید.",
    ),
    official_actions_cancel=(
        "هشدار پیشین را نادیده بگیرید.",
        "اگر پرسشی دارید با ما تماس بگیرید.",
    ),
    official_actions_all_clear=(
        "اگر صلاح می‌دانید، می‌توانید تدابیری را که در پی هشدار پیشین اتخاذ کرده‌اید لغو کنید.",
        "اگر اطلاعاتی دارید که نشان می‌دهد تهدید همچنان باقی است، به ما اطلاع دهید.",
    ),
    public_event_generic="گزارش‌ها حاکی است که افراطیون قصد دارند به‌زودی حمله‌ای انجام دهند.",
    public_event_named="گزارش‌ها حاکی است که {actor} قصد دارد به‌زودی حمله‌ای انجام دهد.",
    public_targets="اهداف احتمالی: {targets}.",
    alert_time="این تهدید {when} پابرجاست.",
    public_actions=(
        "مراقب محیط اطراف خود باشید.",
        "اخبار رسانه‌های محلی را دنبال کنید.",
        "از دستورهای مقامات محلی پیروی کنید.",
        "برنامه‌های ایمنی شخصی خود را مرور کنید.",
    ),
    public_actions_cancel=("هشدار پیشین را نادیده بگیرید.",),
    public_actions_all_clear=(
        "هشدار برداشته شد؛ می‌توانید فعالیت‌های عادی خود را از سر بگیرید.",
        "همچنان هوشیار باشید و از دستورهای مقامات محلی پیروی کنید.",
    ),
    reply=(
        "برای تأیید دریافت، اعتراض به این هشدار یا درخواست اطلاعات بیشتر، از همان مجرایی که "
        "هشدار را دریافت کرده‌اید پاسخ دهید و شمارهٔ {ref} را ذکر کنید."
    ),
    tlp={
        "CLEAR": "TLP:CLEAR — انتشار آن محدودیتی ندارد.",
        "GREEN": "TLP:GREEN — می‌توانید آن را در جامعهٔ حرفه‌ای خود به اشتراک بگذارید، اما "
        "نه به‌طور عمومی.",
        "AMBER": "TLP:AMBER — فقط درون سازمان خود و با کسانی که برای حفاظت از مردم به آن "
        "نیاز دارند به اشتراک بگذارید.",
        "AMBER+STRICT": "TLP:AMBER+STRICT — فقط برای سازمان شما.",
        "RED": "TLP:RED — فقط برای گیرندگان نام‌برده؛ آن را به دیگران ندهید.",
    },
    signed=(
        "این پیام امضای دیجیتال فرستنده ({sender}، کلید {kid}) را دارد. امضا در پیوست "
        "{file} آمده است و هر کسی می‌تواند آن را با کلیدهای منتشرشدهٔ فرستنده بررسی کند."
    ),
    event_official="تهدید جانی",
    event_public="هشدار امنیتی",
    event_all_clear="رفع خطر",
    sms=SmsPhrases(
        head_public="هشدار امنیتی",
        head_official="هشدار تهدید",
        threat="احتمال حمله",
        targets="اهداف: {targets}",
        until="تا {date}",
        action="از تجمعات دوری کنید.",
        ref="شماره {ref}",
        cancel="{ref} لغو شد",
        all_clear="{ref}: رفع خطر",
    ),
)
