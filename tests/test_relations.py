"""Sentence relations: each structural cue, institutions, and the scorer's part, on sentences written here.

Sentences are written in the annotators' markup (``[[LABEL|surface]]``), so the
gold entities come with them and no tagger is needed.
"""

from __future__ import annotations

import pytest
import torch

from persnews.data.authoring import parse_markup
from persnews.document import Entity
from persnews.normalization import normalize
from persnews.relation_scorer import RelationScorer
from persnews.cue_words import compact
from persnews.relations import SentenceCues, extract_relations
from persnews.segmentation import sentences


def relations_of(markup: str, scorer: RelationScorer | None = None, threshold: float = 0.5):
    doc = parse_markup("### t\n" + markup)[0]
    found = extract_relations(doc.text, sentences(normalize(doc.text)), doc.entities, scorer, threshold)

    def surface(index: int | None) -> str | None:
        return None if index is None else doc.entities[index].text

    return {(surface(r.person), surface(r.role), surface(r.institution)) for r in found}


def cues_of(markup: str) -> SentenceCues:
    doc = parse_markup("### t\n" + markup)[0]
    (cues,) = SentenceCues.for_document(doc.text, sentences(normalize(doc.text)), doc.entities)
    return cues


# --- holder cues -----------------------------------------------------------------------------------

def test_apposition_after_the_name():
    assert relations_of("[[PER|حسین نوری]]، [[ROLE|معاون فنی]] [[ORG|شهرداری شیراز]] گفت: کار تمام شد.") == {
        ("حسین نوری", "معاون فنی", "شهرداری شیراز")}


def test_title_right_before_the_name():
    assert relations_of("[[ROLE|شهردار]] [[LOC|تهران]] [[PER|علی رضایی]] گفت: کار تمام شد.") == {
        ("علی رضایی", "شهردار", "تهران")}


def test_title_before_the_name_across_a_comma():
    assert relations_of("[[ROLE|معاون مالی]] [[ORG|شهرداری اهواز]]، [[PER|فریدون انصاریان]]، هم گفت: پرداخت می‌شود.") == {
        ("فریدون انصاریان", "معاون مالی", "شهرداری اهواز")}


def test_caption_block_with_a_colon():
    assert relations_of("متن خبر.\n[[ROLE|گزارشگر]]: [[PER|نرگس یگانه]]") == {("نرگس یگانه", "گزارشگر", None)}


def test_name_right_before_its_role_without_punctuation():
    assert relations_of("حجت‌الاسلام [[PER|غلامرضا حاتمی]] [[ROLE|رئیس کل]] [[ORG|دادگستری خراسان رضوی]] خبر داد.") == {
        ("غلامرضا حاتمی", "رئیس کل", "دادگستری خراسان رضوی")}


def test_as_role_phrase_gives_the_subject_the_role():
    markup = ("در این رأی‌گیری [[PER|علیرضا تقی‌زاده]] با ۸ رأی بار دیگر به عنوان [[ROLE|رئیس]] [[ORG|شورا]] "
              "برگزیده شد.")
    assert relations_of(markup) == {("علیرضا تقی‌زاده", "رئیس", "شورا")}


def test_as_role_written_with_zwnj_and_after_another_role():
    markup = ("[[PER|اسماعیل ترابی]]، [[ROLE|معاون مالی]] [[ORG|شهرداری خرم‌آباد]]، تا انتخاب شهردار جدید "
              "به‌عنوان [[ROLE|سرپرست]] [[ORG|شهرداری]] فعالیت می‌کند.")
    assert relations_of(markup) == {("اسماعیل ترابی", "معاون مالی", "شهرداری خرم‌آباد"),
                                    ("اسماعیل ترابی", "سرپرست", "شهرداری")}


def test_predicate_role_of_the_subject():
    markup = "[[PER|داریوش جلالوند]] برای یک سال دیگر [[ROLE|سخنگوی]] [[ORG|شورای کرج]] خواهد بود."
    assert relations_of(markup) == {("داریوش جلالوند", "سخنگوی", "شورای کرج")}


def test_honorifics_between_title_and_name_are_skipped():
    markup = "[[ROLE|رئیس]] [[ORG|دانشگاه یزد]]، دکتر [[PER|ناهید شاکری]] از طرح خبر داد."
    assert relations_of(markup) == {("ناهید شاکری", "رئیس", "دانشگاه یزد")}


def test_description_before_a_coordinated_role():
    markup = "[[PER|ابراهیم یوسف زاده]]، شاعر و [[ROLE|مدرس]] [[ORG|دانشگاه پیام نور مهاباد]]، شعری خواند."
    assert relations_of(markup) == {("ابراهیم یوسف زاده", "مدرس", "دانشگاه پیام نور مهاباد")}


def test_role_completed_by_a_plain_word_before_the_name():
    assert relations_of("[[ROLE|کاپیتان]] تیم، [[PER|امیرحسین بنایی]]، پیروزی را تقدیم کرد.") == {
        ("امیرحسین بنایی", "کاپیتان", None)}


def test_agent_word_blocks_the_title_cue():
    markup = ("با حکم [[ROLE|شهردار]] [[LOC|تهران]]، [[PER|علی رضایی]] به سمت [[ROLE|معاون فنی]] "
              "[[ORG|شهرداری تهران]] منصوب شد.")
    assert relations_of(markup) == {("علی رضایی", "معاون فنی", "شهرداری تهران")}


def test_reporter_of_the_source_is_not_the_next_name():
    markup = "به گزارش [[ROLE|خبرنگار]] [[ORG|ایسنا]]، [[PER|علی رضایی]]، [[ROLE|شهردار]] [[LOC|قم]] گفت: کار تمام شد."
    assert relations_of(markup) == {("علی رضایی", "شهردار", "قم")}


def former_relations_of(markup: str) -> set[tuple[str, str, str | None, bool]]:
    doc = parse_markup("### t\n" + markup)[0]
    found = extract_relations(doc.text, sentences(normalize(doc.text)), doc.entities)
    text = [e.text for e in doc.entities]
    return {(text[r.person], text[r.role], None if r.institution is None else text[r.institution], r.former)
            for r in found}


def test_former_office_is_a_relation_marked_former():
    assert former_relations_of("از خدمات [[PER|حسن جبارزاده]]، [[ROLE|شهردار]] پیشین، قدردانی کرد.") == {
        ("حسن جبارزاده", "شهردار", None, True)}
    assert former_relations_of("[[PER|تیموری]] که پیش از این [[ROLE|معاون عمرانی]] [[ORG|شهرداری مرند]] بود، "
                               "گفت: بله.") == {("تیموری", "معاون عمرانی", "شهرداری مرند", True)}
    assert former_relations_of("[[PER|علی دایی]]، [[ROLE|مدیرعامل]] سابق [[ORG|باشگاه سایپا]]، گفت: نه.") == {
        ("علی دایی", "مدیرعامل", "باشگاه سایپا", True)}


def test_office_announced_as_earlier_is_former():
    assert former_relations_of("[[PER|رضا کریمی]] که سابقا [[ROLE|مدیرعامل]] [[ORG|باشگاه ذوب‌آهن]] شده، گفت: نه.") == {
        ("رضا کریمی", "مدیرعامل", "باشگاه ذوب‌آهن", True)}
    assert former_relations_of("[[PER|رضا کریمی]] که [[ROLE|مدیرعامل]] [[ORG|باشگاه ذوب‌آهن]] شده، گفت: نه.") == {
        ("رضا کریمی", "مدیرعامل", "باشگاه ذوب‌آهن", False)}
    assert former_relations_of("[[PER|تیموری]] که [[ROLE|معاون]] [[ORG|شهرداری مرند]] بود، گفت: بله.") == set()


def test_former_office_marked_by_vaght_or_inside_the_role():
    assert former_relations_of("[[PER|کامران صدری]] [[ROLE|وزیر کشور]] وقت در سفر به [[LOC|یزد]] گفت: بله.") == {
        ("کامران صدری", "وزیر کشور", None, True)}
    assert former_relations_of("[[PER|صابری]] [[ROLE|مدیرکل وقت زندان‌های]] [[LOC|استان فارس]] گفته بود: نه.") == {
        ("صابری", "مدیرکل وقت زندان‌های", "استان فارس", True)}
    assert former_relations_of("[[PER|صمد فرجی]] [[ROLE|مربي پيشين]] [[ORG|باشگاه ملوان]] تشویق شد.") == {
        ("صمد فرجی", "مربي پيشين", "باشگاه ملوان", True)}


def test_only_the_role_marked_former_in_a_chain():
    assert former_relations_of("[[PER|علی رضایی]]، [[ROLE|وزیر]] سابق و [[ROLE|مشاور]] [[ORG|بانک ملی]] گفت: بله.") == {
        ("علی رضایی", "وزیر", None, True), ("علی رضایی", "مشاور", "بانک ملی", False)}


def test_quote_marks_around_a_name_do_not_break_the_cues():
    assert relations_of("« [[PER|فرهاد نیکنام]] » [[ROLE|معاون]] [[ORG|وزارت نیرو]] گفت: برق قطع نمی‌شود.") == {
        ("فرهاد نیکنام", "معاون", "وزارت نیرو")}
    assert relations_of("«[[PER|سارا یزدانی]]»، [[ROLE|سخنگوی]] [[ORG|ستاد بحران]] گفت: آرام است.") == {
        ("سارا یزدانی", "سخنگوی", "ستاد بحران")}


def test_name_in_brackets_after_its_title():
    assert relations_of("مبلغی به [[ROLE|سرپرست]] [[ORG|باشگاه ملوان]] ( [[PER|رضا طاهرخانی]] ) داده شد.") == {
        ("رضا طاهرخانی", "سرپرست", "باشگاه ملوان")}


def test_name_right_before_a_role_wins_over_a_name_after_a_comma():
    markup = ("[[PER|کاوه میرزایی]] [[ROLE|عضو هیئت رئیسه]]، [[PER|لیلا ستوده]] یکی از اعضا و [[PER|بیژن کرمی]] "
              "در این سفر حضور دارند.")
    assert relations_of(markup) == {("کاوه میرزایی", "عضو هیئت رئیسه", None)}


def test_captions_with_colons_each_take_the_name_after_them():
    assert relations_of("متن خبر.\n[[ROLE|خبرنگار]]: [[PER|نسیم وفایی]] [[ROLE|عکاس]]: [[PER|بهزاد قنبری]]") == {
        ("نسیم وفایی", "خبرنگار", None), ("بهزاد قنبری", "عکاس", None)}


def test_name_after_a_role_held_for_someone_is_whose_it_is():
    markup = "[[PER|مایک لارسن]] [[ROLE|معاون]] [[PER|جان دیویس]] در سفر به [[LOC|ژاپن]] گفت: بله."
    assert relations_of(markup) == {("مایک لارسن", "معاون", None)}
    assert relations_of("[[ROLE|سخنگوی]] [[PER|جان دیویس]] به خبرنگاران گفت: جلسه خوب بود.") == set()
    assert relations_of("[[ROLE|وکیل]] [[PER|مهدی طارمی]] پاسخ [[ROLE|مدیرعامل]] [[ORG|سایپا]] را داد.") == set()
    assert relations_of("[[ROLE|رئیس‌جمهور]] [[PER|جان دیویس]] به خبرنگاران گفت: جلسه خوب بود.") == {
        ("جان دیویس", "رئیس‌جمهور", None)}


def test_as_role_past_an_ordinal():
    markup = "[[PER|مارک هیل]] به عنوان چهل و پنجمین [[ROLE|رئیس جمهور]] [[LOC|آمریکا]] سوگند خورد."
    assert relations_of(markup) == {("مارک هیل", "رئیس جمهور", "آمریکا")}
    markup = "[[PER|زهره کاظمی]] به‌عنوان نخستین [[ROLE|شهردار]] زن [[LOC|ساوه]] انتخاب شد."
    assert relations_of(markup) == {("زهره کاظمی", "شهردار", "ساوه")}


def test_description_before_a_coordinated_role_without_a_comma_or_of_several_words():
    markup = "[[PER|بهمن بیرجندی]] روانشناس و [[ROLE|عضو هیئت علمی]] [[ORG|دانشگاه علوم پزشکی ایران]] گفت: بله."
    assert relations_of(markup) == {("بهمن بیرجندی", "عضو هیئت علمی", "دانشگاه علوم پزشکی ایران")}
    markup = ("[[PER|شیرین نیکو]]، متخصص زنان و زایمان و [[ROLE|عضو هیئت علمی]] [[ORG|دانشگاه تبریز]] "
              "می‌گوید: بله.")
    assert relations_of(markup) == {("شیرین نیکو", "عضو هیئت علمی", "دانشگاه تبریز")}
    assert relations_of("[[PER|بهمن بیرجندی]] و [[ROLE|شهردار]] [[LOC|ساوه]] آمدند.") == set()


def test_role_with_no_named_person_gets_no_relation():
    assert relations_of("[[ROLE|شهردار]] [[LOC|کرج]] نیز در این جلسه حضور داشت.") == set()


def test_a_role_mentioned_in_a_quote_is_not_the_speakers():
    markup = "[[PER|علی رضایی]] گفت: [[ROLE|شهردار]] [[LOC|تهران]] باید پاسخ بدهد."
    assert relations_of(markup) == set()


def test_relations_stay_within_a_sentence():
    assert relations_of("[[PER|علی رضایی]] آمد.\n[[ROLE|شهردار]] [[LOC|قم]] گفت: خوش آمدید.") == set()


def test_listed_names_each_take_the_role_after_them():
    markup = ("همچنین [[PER|شهناز فریدونی]] [[ROLE|نایب رئیس اول]]، [[PER|بهادر قنبرزاده]] [[ROLE|نایب رئیس دوم]] "
              "و [[PER|مژگان طاهرزاده]] [[ROLE|خزانه دار]] [[ORG|اتاق]] شدند.")
    assert relations_of(markup) == {("شهناز فریدونی", "نایب رئیس اول", "اتاق"),
                                    ("بهادر قنبرزاده", "نایب رئیس دوم", "اتاق"),
                                    ("مژگان طاهرزاده", "خزانه دار", "اتاق")}


def test_each_role_takes_at_most_one_holder():
    markup = "[[PER|علی رضایی]]، [[ROLE|مدیر]] [[ORG|موزه ملی]]، [[PER|حسن کاظمی]] را دید."
    assert relations_of(markup) == {("علی رضایی", "مدیر", "موزه ملی")}


def test_arabic_letters_and_missing_zwnj_are_read_alike():
    markup = "[[PER|كامران بابايي]]، [[ROLE|معاون خدمات شهري]] [[ORG|شهرداري رشت]] در اين باره گفت: باران باريد."
    assert relations_of(markup) == {("كامران بابايي", "معاون خدمات شهري", "شهرداري رشت")}


# --- institutions ----------------------------------------------------------------------------------

def test_coordinated_roles_share_the_institution_at_the_end():
    markup = ("[[PER|پریسا آذرنوش]]، [[ROLE|معاون حمل و نقل]] و [[ROLE|رئیس کمیسیون ترافیک]] "
              "[[ORG|شهرداری تهران]] گفت: کار تمام شد.")
    assert relations_of(markup) == {("پریسا آذرنوش", "معاون حمل و نقل", "شهرداری تهران"),
                                    ("پریسا آذرنوش", "رئیس کمیسیون ترافیک", "شهرداری تهران")}


def test_coordinated_roles_keep_their_own_institutions():
    markup = ("[[ROLE|سخنگوی]] [[ORG|شورا]] و [[ROLE|رئیس کمیسیون فرهنگی]] [[ORG|شورای شهر]]، "
              "[[PER|مریم احمدی]] گفت: کار تمام شد.")
    assert relations_of(markup) == {("مریم احمدی", "سخنگوی", "شورا"),
                                    ("مریم احمدی", "رئیس کمیسیون فرهنگی", "شورای شهر")}


def test_role_naming_another_office_takes_no_shared_institution():
    markup = ("با حضور [[PER|فریدون داوری]]، [[ROLE|معاون وزیر راه و شهرسازی]] و [[ROLE|مدیرعامل]] "
              "[[ORG|شرکت راه‌آهن]] آغاز شد.")
    assert relations_of(markup) == {("فریدون داوری", "معاون وزیر راه و شهرسازی", None),
                                    ("فریدون داوری", "مدیرعامل", "شرکت راه‌آهن")}


def test_role_completed_by_a_plain_word_takes_no_shared_institution():
    markup = ("[[PER|منیر کرمانشاهی]]، [[ROLE|سرپرست]] تیم و [[ROLE|عضو هیئت علمی]] [[ORG|دانشگاه بابل]]، گفت: "
              "ربات ساختیم.")
    assert relations_of(markup) == {("منیر کرمانشاهی", "سرپرست", None),
                                    ("منیر کرمانشاهی", "عضو هیئت علمی", "دانشگاه بابل")}


def test_parallel_name_role_pairs_share_the_last_institution():
    markup = "در این جلسه [[PER|راضیه امینیان]] [[ROLE|نایب‌رئیس]] و [[PER|نوید تقدیری]] [[ROLE|سخنگوی]] [[ORG|شورای شهر بابل]] شدند."
    assert relations_of(markup) == {("راضیه امینیان", "نایب‌رئیس", "شورای شهر بابل"),
                                    ("نوید تقدیری", "سخنگوی", "شورای شهر بابل")}


def test_representative_sits_in_the_body_after_his_constituency():
    markup = ("[[PER|یدالله قهرمانی]]، [[ROLE|نماینده مردم]] [[LOC|ساری]] و [[LOC|میاندورود]] در "
              "[[ORG|مجلس شورای اسلامی]] هم خبر داد.")
    assert relations_of(markup) == {("یدالله قهرمانی", "نماینده مردم", "مجلس شورای اسلامی")}


def test_representative_without_a_body_takes_his_constituency():
    assert relations_of("[[PER|ژیلا خلجی]]، [[ROLE|نماینده مردم]] [[LOC|اهواز]] در مخالفت گفت: نه.") == {
        ("ژیلا خلجی", "نماینده مردم", "اهواز")}


def test_adjective_between_role_and_institution():
    markup = "[[PER|فرهاد مطلبی]] به عنوان [[ROLE|مدیرعامل]] جدید [[ORG|باشگاه پرسپولیس]] انتخاب شد."
    assert relations_of(markup) == {("فرهاد مطلبی", "مدیرعامل", "باشگاه پرسپولیس")}


def test_a_list_of_guests_shares_no_institution():
    markup = ("با حضور [[PER|علی فرجی]] [[ROLE|مدیرکل]] [[ORG|بنیاد شهید خوزستان]]، [[PER|رضا گودرزی]] [[ROLE|فرماندار]]، "
              "[[PER|ابراهیم پیروزی]] [[ROLE|مدیرعامل]] [[ORG|شرکت نفت مسجدسلیمان]] برگزار شد.")
    assert relations_of(markup) == {("علی فرجی", "مدیرکل", "بنیاد شهید خوزستان"), ("رضا گودرزی", "فرماندار", None),
                                    ("ابراهیم پیروزی", "مدیرعامل", "شرکت نفت مسجدسلیمان")}


def test_a_list_elected_to_one_body_shares_it():
    markup = ("[[PER|فاطمه زبرجد]] به عنوان [[ROLE|نایب رئیس]]، [[PER|مسعود حاتمی]] [[ROLE|سخنگو]] و "
              "[[PER|رقیه خرمی]] [[ROLE|منشی]] [[ORG|شورا]] انتخاب شدند.")
    assert relations_of(markup) == {("فاطمه زبرجد", "نایب رئیس", "شورا"), ("مسعود حاتمی", "سخنگو", "شورا"),
                                    ("رقیه خرمی", "منشی", "شورا")}


def test_the_object_of_the_verb_is_not_the_title_of_the_role_before_it():
    markup = ("«[[PER|مجید روانچی]]» [[ROLE|نماینده دائم]] [[LOC|ایران]] در [[ORG|سازمان ملل]] سردار "
              "[[PER|قاسم سلیمی]] را قهرمان منطقه توصیف کرد.")
    assert relations_of(markup) == {("مجید روانچی", "نماینده دائم", "سازمان ملل")}
    markup = "[[ROLE|استاندار]] [[LOC|گیلان]] [[PER|قاسم سلیمی]] را به عنوان مشاور منصوب کرد."
    assert relations_of(markup) == {("قاسم سلیمی", "استاندار", "گیلان")}


def test_representative_without_a_constituency_takes_the_body_after_him():
    assert relations_of("[[PER|مجید انوری]]، [[ROLE|نماینده]] [[ORG|مجلس خبرگان رهبری]]، گفت: بله.") == {
        ("مجید انوری", "نماینده", "مجلس خبرگان رهبری")}
    markup = "[[PER|جرج هالووی]]، [[ROLE|نماینده]] [[ORG|حزب کارگر]] در [[ORG|پارلمان انگلیس]]، گفت: نه."
    assert relations_of(markup) == {("جرج هالووی", "نماینده", "پارلمان انگلیس")}
    markup = "[[PER|موسی معتمدی]]، [[ROLE|نماینده]] کلیمیان در [[ORG|مجلس]] و دیگران آمدند."
    assert relations_of(markup) == {("موسی معتمدی", "نماینده", "مجلس")}


def test_one_modifier_between_role_and_institution():
    assert relations_of("[[PER|بیل جانسون]]، [[ROLE|رئیس جمهور]] کنونی [[LOC|آمریکا]]، گفت: بله.") == {
        ("بیل جانسون", "رئیس جمهور", "آمریکا")}
    assert relations_of("[[PER|اکبر عطاری]]، [[ROLE|عضو]] دیگر [[ORG|شورای مرکزی انجمن]] گفت: نه.") == {
        ("اکبر عطاری", "عضو", "شورای مرکزی انجمن")}


def test_a_time_modifier_beside_the_one_plain_word_keeps_the_institution():
    markup = "[[PER|لوئیس فن خال]]، [[ROLE|سرمربی]] هلندی سابق [[ORG|بارسلونا]] به ما تاخت."
    doc = parse_markup("### t\n" + markup)[0]
    (relation,) = extract_relations(doc.text, sentences(normalize(doc.text)), doc.entities)
    assert (doc.entities[relation.institution].text, relation.former) == ("بارسلونا", True)
    assert relations_of("[[PER|علی رضایی]]، [[ROLE|شهردار]] امروز سابق [[LOC|تهران]] را دید.") == {
        ("علی رضایی", "شهردار", None)}


def test_a_time_word_or_two_words_keep_a_place_from_the_role():
    assert relations_of("[[PER|علی رضایی]]، [[ROLE|شهردار]] امروز [[LOC|تهران]] را ترک کرد.") == {
        ("علی رضایی", "شهردار", None)}
    assert relations_of("[[PER|علی رضایی]]، [[ROLE|دبیر]] چهارمین همایش [[ORG|انجمن زمین‌شناسی]] گفت: بله.") == {
        ("علی رضایی", "دبیر", None)}


def test_the_body_after_dar_is_the_institution_of_a_role_without_one():
    markup = "[[PER|پل بنسون]]، [[ROLE|استاد زیست‌شناسی]] در [[ORG|دانشگاه شیکاگو]] می‌گوید: بله."
    assert relations_of(markup) == {("پل بنسون", "استاد زیست‌شناسی", "دانشگاه شیکاگو")}
    assert relations_of("[[PER|علی رضایی]]، [[ROLE|شهردار]] در [[LOC|تهران]] گفت: بله.") == {
        ("علی رضایی", "شهردار", None)}


def test_complete_roles_take_no_institution_from_the_chain():
    markup = "به دستور [[PER|حیدر عبادی]] [[ROLE|نخست‌وزیر]] و [[ROLE|فرمانده کل]] [[ORG|نیروهای مسلح عراق]] آغاز شد."
    assert relations_of(markup) == {("حیدر عبادی", "نخست‌وزیر", None),
                                    ("حیدر عبادی", "فرمانده کل", "نیروهای مسلح عراق")}
    markup = "[[PER|امیر خانی]] [[ROLE|استاد دانشگاه]] و [[ROLE|رئیس]] [[ORG|بنیاد معماری]] سخنرانی کرد."
    assert relations_of(markup) == {("امیر خانی", "استاد دانشگاه", None), ("امیر خانی", "رئیس", "بنیاد معماری")}
    markup = "[[PER|اریک سولهایم]] [[ROLE|معاون دبیر کل]] و [[ROLE|رئیس]] [[ORG|برنامه محیط زیست]] سخنرانی کرد."
    assert relations_of(markup) == {("اریک سولهایم", "معاون دبیر کل", None),
                                    ("اریک سولهایم", "رئیس", "برنامه محیط زیست")}


def test_a_state_office_shares_a_country():
    markup = "[[PER|حسین نراقی]] به عنوان [[ROLE|سفیر فوق‌العاده]] و [[ROLE|نماینده تام‌الاختیار]] [[LOC|ایران]] منصوب شد."
    assert relations_of(markup) == {("حسین نراقی", "سفیر فوق‌العاده", "ایران"),
                                    ("حسین نراقی", "نماینده تام‌الاختیار", "ایران")}


def test_demonstrative_after_a_role_is_kept_for_the_officials_stage():
    cues = cues_of("[[PER|حمید پاشایی]]، [[ROLE|معاون عملیات]] این سازمان، گفت: دود غلیظ بود.")
    (unit,) = cues.units.values()
    assert unit.institution is None and unit.demonstrative == compact("سازمان")


# --- inputs, scores and the scorer -----------------------------------------------------------------

def test_entities_must_be_sorted_and_match_the_text():
    text = "علی رضایی، شهردار گفت"
    person, role = Entity(0, 9, "PER", "علی رضایی"), Entity(11, 17, "ROLE", "شهردار")
    with pytest.raises(ValueError, match="sorted"):
        extract_relations(text, sentences(normalize(text)), [role, person])
    with pytest.raises(ValueError, match="does not match"):
        extract_relations("x" + text[1:], sentences(normalize("x" + text[1:])), [person, role])


def test_rules_alone_score_one():
    text = "علی رضایی، شهردار گفت"
    entities = [Entity(0, 9, "PER", "علی رضایی"), Entity(11, 17, "ROLE", "شهردار")]
    (relation,) = extract_relations(text, sentences(normalize(text)), entities)
    assert (relation.person, relation.role, relation.institution, relation.score) == (0, 1, None, 1.0)


def test_features_name_the_cues():
    cues = cues_of("[[PER|حسین نوری]]، [[ROLE|معاون فنی]] [[ORG|شهرداری شیراز]] گفت: کار تمام شد.")
    features = cues.features(cues.persons[0], cues.groups[0])
    assert features["cue=apposition"] == 1.0 and features["person_first"] == 1.0
    assert features["has_institution"] == 1.0 and features["speech_after"] == 1.0


def test_features_mark_an_object_after_the_title_and_the_subject_of_as_role():
    cues = cues_of("[[ROLE|سرمربی]] سابق [[ORG|بارسا]] [[PER|مسی]] را مقصر می‌داند.")
    assert cues.features(cues.persons[0], cues.groups[0])["object_after"] == 1.0
    cues = cues_of("[[PER|مهدی ترابی]] نیز در غیاب [[PER|بودیمیر]] به عنوان [[ROLE|مهاجم]] بازی می‌کند.")
    subject, other = cues.persons
    assert cues.features(subject, cues.groups[0])["as_role_subject"] == 1.0
    assert cues.features(other, cues.groups[0])["as_role_subject"] == 0.0
    assert cues.features(other, cues.groups[0])["object_after"] == 0.0


def test_scorer_probability_is_the_relation_score_and_threshold_filters():
    scorer = RelationScorer(["cue=apposition"], torch.tensor([4.0]), bias=-2.0)
    markup = "[[PER|حسین نوری]]، [[ROLE|معاون فنی]] [[ORG|شهرداری شیراز]] گفت: کار تمام شد."
    doc = parse_markup("### t\n" + markup)[0]
    (relation,) = extract_relations(doc.text, sentences(normalize(doc.text)), doc.entities, scorer)
    assert relation.score == pytest.approx(1 / (1 + torch.exp(torch.tensor(-2.0)).item()))
    assert relations_of(markup, scorer, threshold=0.95) == set()
    assert relations_of("[[ROLE|شهردار]] [[LOC|قم]] با [[PER|علی رضایی]] دیدار کرد.", scorer) == set()


def test_scorer_rejects_weights_that_do_not_fit_the_feature_names():
    with pytest.raises(ValueError):
        RelationScorer(["a", "b"], torch.zeros(3), 0.0)
