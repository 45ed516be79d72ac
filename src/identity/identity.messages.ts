// Texts for every error code of the identity rules, in Persian (default) and English.
// Codes are `<field>.<problem>` and are used as i18n keys as they are.
//
// Placeholders (filled by web/i18n `t(lang, key, params)`; numbers become Persian
// digits in fa): `password.too_short` {min}, `password.too_long` {max},
// `password.invalid_characters` {symbols} — see passwordMessageParams(policy).
// Other limits are fixed in code and written into the text; a test checks that they
// agree with the constants.
import type { BirthCertificateNumberError, BirthCertificateSerialError, BirthCertificateSeriesError } from './birthCertificate.js';
import type { EmailError } from './email.js';
import type { ForeignNationalIdError } from './foreignNationalId.js';
import type { GenderError } from './gender.js';
import type { InsuranceNumberError } from './insuranceNumber.js';
import type { BirthDateError } from './jalali.js';
import type { MobileError, MobileOperatorError } from './mobile.js';
import type { NationalCodeError } from './nationalCode.js';
import type { PersonNameError, PlaceNameError } from './names.js';
import type { PasswordError } from './password.js';
import type { SecurityAnswerError } from './securityAnswer.js';

/** Every code any identity rule can return. */
export type IdentityErrorCode =
  | NationalCodeError
  | ForeignNationalIdError
  | MobileOperatorError
  | MobileError
  | PersonNameError
  | PlaceNameError
  | BirthDateError
  | BirthCertificateNumberError
  | BirthCertificateSerialError
  | BirthCertificateSeriesError
  | PasswordError
  | SecurityAnswerError
  | EmailError
  | GenderError
  | InsuranceNumberError;

const fa = {
  'national_code.required': 'لطفاً کد ملی خود را وارد کنید.',
  'national_code.format': 'کد ملی باید ۱۰ رقم باشد.',
  'national_code.invalid': 'کد ملی واردشده معتبر نیست. لطفاً آن را دوباره بررسی کنید.',

  'foreign_national_id.required': 'لطفاً شناسه فراگیر اتباع خارجی را وارد کنید.',
  'foreign_national_id.format': 'شناسه فراگیر اتباع خارجی باید ۱۲ رقم باشد.',

  'mobile_operator.required': 'لطفاً اپراتور تلفن همراه خود را انتخاب کنید.',
  'mobile_operator.invalid': 'اپراتور انتخاب‌شده معتبر نیست. لطفاً یکی از گزینه‌های فهرست را انتخاب کنید.',

  'mobile.required': 'لطفاً شماره تلفن همراه خود را وارد کنید.',
  'mobile.format': 'شماره تلفن همراه معتبر نیست. لطفاً آن را ۱۱ رقمی و مانند ۰۹۱۲۱۲۳۴۵۶۷ وارد کنید.',

  'first_name.required': 'لطفاً نام خود را وارد کنید.',
  'first_name.invalid': 'لطفاً نام را فقط با حروف فارسی و دست‌کم ۲ حرف بنویسید.',
  'first_name.too_long': 'نام نباید بیشتر از ۵۰ حرف باشد.',

  'last_name.required': 'لطفاً نام خانوادگی خود را وارد کنید.',
  'last_name.invalid': 'لطفاً نام خانوادگی را فقط با حروف فارسی و دست‌کم ۲ حرف بنویسید.',
  'last_name.too_long': 'نام خانوادگی نباید بیشتر از ۵۰ حرف باشد.',

  'city.required': 'لطفاً شهر محل سکونت خود را وارد کنید.',
  'city.invalid': 'لطفاً نام شهر را فقط با حروف فارسی یا انگلیسی و دست‌کم ۲ حرف بنویسید.',
  'city.too_long': 'نام شهر نباید بیشتر از ۸۰ حرف باشد.',

  'country.required': 'لطفاً کشور محل سکونت خود را وارد کنید.',
  'country.invalid': 'لطفاً نام کشور را فقط با حروف فارسی یا انگلیسی و دست‌کم ۲ حرف بنویسید.',
  'country.too_long': 'نام کشور نباید بیشتر از ۸۰ حرف باشد.',

  'birth_date.required': 'لطفاً روز، ماه و سال تولد خود را وارد کنید.',
  'birth_date.invalid': 'تاریخ تولد معتبر نیست. لطفاً روز و ماه را بررسی کنید و سال را چهاررقمی (مانند ۱۳۷۰) بنویسید.',
  'birth_date.in_future': 'تاریخ تولد نمی‌تواند بعد از امروز باشد.',
  'birth_date.too_old': 'تاریخ تولد بیش از ۱۳۰ سال پیش است. لطفاً سال تولد را بررسی کنید.',
  'birth_date.gregorian': 'این سال میلادی است. لطفاً سال تولد را به تاریخ شمسی (مانند ۱۳۷۰) بنویسید.',

  'birth_certificate_number.required': 'لطفاً شماره شناسنامه را وارد کنید.',
  'birth_certificate_number.format': 'شماره شناسنامه باید فقط رقم و حداکثر ۱۰ رقم باشد.',
  'birth_certificate_serial.required': 'لطفاً سریال شناسنامه را وارد کنید.',
  'birth_certificate_serial.format': 'سریال شناسنامه باید ۶ رقم باشد.',
  'birth_certificate_series.required': 'لطفاً سری شناسنامه (حرف و عدد) را وارد کنید.',
  'birth_certificate_series.format': 'سری شناسنامه باید یک حرف فارسی و یک عدد از ۱ تا ۹۹ باشد؛ مانند «الف ۱۲».',

  'password.required': 'لطفاً گذرواژه را وارد کنید.',
  'password.too_short': 'گذرواژه باید دست‌کم {min} نویسه باشد.',
  'password.too_long': 'گذرواژه نباید بیشتر از {max} نویسه باشد.',
  'password.invalid_characters': 'در گذرواژه فقط حروف انگلیسی، رقم و این نمادها مجاز است: {symbols}',
  'password.must_start_with_letter': 'گذرواژه باید با یک حرف انگلیسی شروع شود.',
  'password.needs_upper': 'گذرواژه باید دست‌کم یک حرف بزرگ انگلیسی (A تا Z) داشته باشد.',
  'password.needs_lower': 'گذرواژه باید دست‌کم یک حرف کوچک انگلیسی (a تا z) داشته باشد.',
  'password.needs_digit': 'گذرواژه باید دست‌کم یک رقم داشته باشد.',
  'password.contains_personal_info': 'گذرواژه نباید نام، نام خانوادگی، کد ملی یا نام کاربری شما را در خود داشته باشد.',
  'password.too_weak': 'این گذرواژه به‌آسانی حدس زده می‌شود. لطفاً گذرواژه‌ای طولانی‌تر و کمتر قابل‌حدس انتخاب کنید.',

  'security_answer.required': 'لطفاً پاسخ سؤال امنیتی را وارد کنید.',
  'security_answer.too_short': 'پاسخ سؤال امنیتی باید دست‌کم ۲ حرف باشد.',
  'security_answer.too_long': 'پاسخ سؤال امنیتی نباید بیشتر از ۱۰۰ حرف باشد.',

  'email.required': 'لطفاً نشانی ایمیل خود را وارد کنید.',
  'email.invalid': 'نشانی ایمیل معتبر نیست. لطفاً آن را مانند name@example.com وارد کنید.',
  'email.too_long': 'نشانی ایمیل بیش از اندازه طولانی است. لطفاً آن را بررسی کنید.',

  'gender.required': 'لطفاً جنسیت را انتخاب کنید.',
  'gender.invalid': 'جنسیت انتخاب‌شده معتبر نیست. لطفاً یکی از گزینه‌ها را انتخاب کنید.',

  'insurance_number.required': 'لطفاً شماره بیمه را وارد کنید.',
  'insurance_number.format': 'شماره بیمه باید فقط رقم و حداکثر ۱۰ رقم باشد.',
} as const satisfies Record<IdentityErrorCode, string>;

const en = {
  'national_code.required': 'Please enter your national code.',
  'national_code.format': 'The national code must have 10 digits.',
  'national_code.invalid': 'This national code is not valid. Please check it again.',

  'foreign_national_id.required': 'Please enter your foreign national identifier.',
  'foreign_national_id.format': 'The foreign national identifier must have 12 digits.',

  'mobile_operator.required': 'Please choose your mobile operator.',
  'mobile_operator.invalid': 'This mobile operator is not valid. Please choose one from the list.',

  'mobile.required': 'Please enter your mobile number.',
  'mobile.format': 'This mobile number is not valid. Please enter it with 11 digits, like 09121234567.',

  'first_name.required': 'Please enter your first name.',
  'first_name.invalid': 'Please write your first name in Persian letters only, at least 2 letters.',
  'first_name.too_long': 'The first name must not be longer than 50 characters.',

  'last_name.required': 'Please enter your last name.',
  'last_name.invalid': 'Please write your last name in Persian letters only, at least 2 letters.',
  'last_name.too_long': 'The last name must not be longer than 50 characters.',

  'city.required': 'Please enter the city where you live.',
  'city.invalid': 'Please write the city name in Persian or English letters only, at least 2 letters.',
  'city.too_long': 'The city name must not be longer than 80 characters.',

  'country.required': 'Please enter the country where you live.',
  'country.invalid': 'Please write the country name in Persian or English letters only, at least 2 letters.',
  'country.too_long': 'The country name must not be longer than 80 characters.',

  'birth_date.required': 'Please enter the day, month and year of your birth.',
  'birth_date.invalid': 'This birth date is not valid. Please check the day and month, and write the year with 4 digits (like 1370).',
  'birth_date.in_future': 'The birth date cannot be after today.',
  'birth_date.too_old': 'This birth date is more than 130 years ago. Please check the year.',
  'birth_date.gregorian': 'This looks like a Gregorian year. Please use the solar (Jalali) year of your birth, like 1370.',

  'birth_certificate_number.required': 'Please enter your birth certificate number.',
  'birth_certificate_number.format': 'The birth certificate number must be digits only, at most 10 digits.',
  'birth_certificate_serial.required': 'Please enter your birth certificate serial.',
  'birth_certificate_serial.format': 'The birth certificate serial must have 6 digits.',
  'birth_certificate_series.required': 'Please enter your birth certificate series (letter and number).',
  'birth_certificate_series.format': 'The birth certificate series must be a Persian letter and a number from 1 to 99, like «الف 12».',

  'password.required': 'Please enter a password.',
  'password.too_short': 'The password must have at least {min} characters.',
  'password.too_long': 'The password must not have more than {max} characters.',
  'password.invalid_characters': 'The password may contain only English letters, digits and these symbols: {symbols}',
  'password.must_start_with_letter': 'The password must start with an English letter.',
  'password.needs_upper': 'The password must contain at least one capital English letter (A to Z).',
  'password.needs_lower': 'The password must contain at least one small English letter (a to z).',
  'password.needs_digit': 'The password must contain at least one digit.',
  'password.contains_personal_info': 'The password must not contain your first name, last name, national code or username.',
  'password.too_weak': 'This password is easy to guess. Please choose a longer, less predictable password.',

  'security_answer.required': 'Please enter the answer to your security question.',
  'security_answer.too_short': 'The answer must have at least 2 characters.',
  'security_answer.too_long': 'The answer must not be longer than 100 characters.',

  'email.required': 'Please enter your email address.',
  'email.invalid': 'This email address is not valid. Please enter it like name@example.com.',
  'email.too_long': 'This email address is too long. Please check it.',

  'gender.required': 'Please choose your gender.',
  'gender.invalid': 'This gender value is not valid. Please choose one of the options.',

  'insurance_number.required': 'Please enter your insurance number.',
  'insurance_number.format': 'The insurance number must be digits only, at most 10 digits.',
} as const satisfies Record<keyof typeof fa, string>;

export const identityMessages = { fa, en } as const;
export type IdentityMessageKey = keyof typeof fa;
