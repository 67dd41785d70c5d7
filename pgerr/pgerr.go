// Package pgerr is fazproxy's one error type: every error that reaches a client
// carries a PostgreSQL SQLSTATE, a message, and optionally a detail and a hint.
//
// Errors are created where their meaning is known (New, Wrap) and the code is
// resolved by walking the %w chain (CodeOf), so a DynamoDB error mapped deep in the
// executor keeps its code through every layer of context added above it. An error
// with no code anywhere in its chain is a bug and reports XX000.
package pgerr

import (
	"errors"
	"fmt"
)

// SQLSTATE codes used by fazproxy. Names follow PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion         = "00000"
	Warning                      = "01000"
	ConnectionException          = "08000"
	ConnectionFailure            = "08006"
	ProtocolViolation            = "08P01"
	FeatureNotSupported          = "0A000"
	InvalidTransactionInitiation = "0B000"
	CardinalityViolation         = "21000"
	DataException                = "22000"
	StringDataRightTruncation    = "22001"
	NumericValueOutOfRange       = "22003"
	NullValueNotAllowed          = "22004"
	InvalidDatetimeFormat        = "22007"
	DatetimeFieldOverflow        = "22008"
	DivisionByZero               = "22012"
	InvalidParameterValue        = "22023"
	InvalidRegularExpression     = "2201B"
	InvalidTextRepresentation    = "22P02"
	InvalidBinaryRepresentation  = "22P03"
	UntranslatableCharacter      = "22P05"
	CharacterNotInRepertoire     = "22021"
	InvalidEscapeSequence        = "22025"
	IntegrityConstraintViolation = "23000"
	NotNullViolation             = "23502"
	UniqueViolation              = "23505"
	CheckViolation               = "23514"
	InvalidCursorState           = "24000"
	InvalidTransactionState      = "25000"
	ActiveSQLTransaction         = "25001"
	ReadOnlySQLTransaction       = "25006"
	NoActiveSQLTransaction       = "25P01"
	InFailedSQLTransaction       = "25P02"
	InvalidSQLStatementName      = "26000"
	InvalidAuthorizationSpec     = "28000"
	InvalidPassword              = "28P01"
	InvalidCursorName            = "34000"
	InvalidCatalogName           = "3D000"
	InvalidSchemaName            = "3F000"
	TransactionRollback          = "40000"
	SerializationFailure         = "40001"
	SyntaxErrorOrAccessRule      = "42000"
	SyntaxError                  = "42601"
	InsufficientPrivilege        = "42501"
	GroupingError                = "42803"
	WindowingError               = "42P20"
	DatatypeMismatch             = "42804"
	WrongObjectType              = "42809"
	UndefinedColumn              = "42703"
	UndefinedFunction            = "42883"
	UndefinedTable               = "42P01"
	UndefinedParameter           = "42P02"
	UndefinedObject              = "42704"
	DuplicateColumn              = "42701"
	DuplicatePreparedStatement   = "42P05"
	DuplicateCursor              = "42P03"
	DuplicateTable               = "42P07"
	DuplicateObject              = "42710"
	AmbiguousColumn              = "42702"
	AmbiguousFunction            = "42725"
	InvalidColumnReference       = "42P10"
	IndeterminateDatatype        = "42P18"
	InsufficientResources        = "53000"
	TooManyConnections           = "53300"
	ConfigurationLimitExceeded   = "53400"
	ProgramLimitExceeded         = "54000"
	ObjectNotInPrerequisiteState = "55000"
	QueryCanceled                = "57014"
	AdminShutdown                = "57P01"
	SystemError                  = "58000"
	ConfigFileError              = "F0000"
	InternalError                = "XX000"
)

// Error is a PostgreSQL-shaped error. Severity defaults to ERROR; FATAL errors
// close the connection after they are sent.
type Error struct {
	Code     string
	Severity string // "ERROR" (default), "FATAL", "WARNING", "NOTICE"
	Message  string
	Detail   string
	Hint     string
	Position int32 // 1-based character position in the statement text, 0 if unknown
	cause    error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return e.Message + ": " + e.cause.Error()
	}
	return e.Message
}

// Unwrap exposes the cause so errors.Is/As see through the SQLSTATE.
func (e *Error) Unwrap() error { return e.cause }

// New makes an error with a SQLSTATE and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a SQLSTATE and message to a cause. The client sees the message
// followed by the cause's text.
func Wrap(cause error, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), cause: cause}
}

// WithHint returns e with its hint set (for chaining at construction).
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// WithDetail returns e with its detail set.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// Fatal marks e as FATAL: the connection closes after it is sent.
func (e *Error) Fatal() *Error {
	e.Severity = "FATAL"
	return e
}

// Unsupported is the error for a feature fazproxy does not implement (0A000).
func Unsupported(feature, hint string) *Error {
	return &Error{Code: FeatureNotSupported, Message: feature + " is not supported", Hint: hint}
}

// CodeOf returns the SQLSTATE of the outermost *Error in err's chain, or XX000.
func CodeOf(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return InternalError
}

// From converts any error into an *Error for the client: the outermost *Error in
// the chain gives code, detail and hint; the message is err's full text so the
// context added by %w wrapping above it is kept.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if !errors.As(err, &pe) {
		return &Error{Code: InternalError, Message: err.Error()}
	}
	out := *pe
	out.cause = nil
	out.Message = err.Error()
	if out.Code == "" {
		out.Code = InternalError
	}
	return &out
}
